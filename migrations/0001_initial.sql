-- crawl schema, version 1: one job per database, its hosts, its URLs, and its runs.
-- Applied once, in a transaction, by the migration runner; never edit a released file,
-- add 0002_*.sql instead.

CREATE TABLE job (
    id          INTEGER PRIMARY KEY CHECK (id = 1),   -- one job per DB
    created_at  REAL    NOT NULL,                      -- unix seconds
    seeds       TEXT    NOT NULL,                      -- JSON array of normalized seed URLs
    settings    TEXT    NOT NULL                       -- JSON object (CrawlSettings)
);

CREATE TABLE hosts (
    id                 INTEGER PRIMARY KEY,
    origin             TEXT    NOT NULL UNIQUE,        -- scheme://host[:port], normalized
    robots_state       TEXT    NOT NULL DEFAULT 'unknown'
                       CHECK (robots_state IN ('unknown', 'rules', 'allow_all', 'disallow_all')),
    robots_status      INTEGER,                        -- HTTP status of the robots.txt fetch
    robots_body        TEXT,                           -- robots.txt as fetched (capped)
    robots_fetched_at  REAL,
    robots_error       TEXT,
    crawl_delay_ms     INTEGER,
    next_allowed_at    REAL    NOT NULL DEFAULT 0,
    backoff_ms         INTEGER NOT NULL DEFAULT 0,
    error_streak       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE urls (
    id               INTEGER PRIMARY KEY,
    url              TEXT    NOT NULL,                 -- normalized absolute URL
    host_id          INTEGER NOT NULL REFERENCES hosts(id),
    state            TEXT    NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'in_flight', 'done', 'failed', 'skipped')),
    kind             TEXT    NOT NULL DEFAULT 'page'
                     CHECK (kind IN ('seed', 'page', 'image', 'redirect')),
    depth            INTEGER NOT NULL,
    parent_id        INTEGER REFERENCES urls(id),      -- the URL it was found on
    discovered_at    REAL    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL    NOT NULL DEFAULT 0,
    status           INTEGER,                          -- HTTP status
    content_type     TEXT,
    bytes            INTEGER,                          -- decoded body bytes
    content_hash     TEXT,                             -- sha256 hex of the body
    body_path        TEXT,                             -- relative to the output directory
    etag             TEXT,
    last_modified    TEXT,
    redirect_to      TEXT,                             -- resolved Location of a 3xx
    fetched_at       REAL,
    error_kind       TEXT,                             -- failed: timeout, dns, ...; skipped: robots, ...
    error            TEXT
);

-- Every URL exists once per job.
CREATE UNIQUE INDEX urls_by_url ON urls(url);
-- The frontier: only queued rows, per host, due first, then discovery order.
CREATE INDEX urls_frontier ON urls(host_id, next_attempt_at, id) WHERE state = 'queued';
-- Stats: counts by state and status without reading the table.
CREATE INDEX urls_by_state ON urls(state, status, error_kind);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    command     TEXT    NOT NULL,                      -- start | resume
    started_at  REAL    NOT NULL,
    ended_at    REAL,
    pid         INTEGER NOT NULL,
    end_reason  TEXT,                                  -- drained | limit | signal | error
    fetched     INTEGER NOT NULL DEFAULT 0,
    new_urls    INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0
);

-- Which migrations ran, and when (PRAGMA user_version holds the latest, atomically).
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    applied_at  REAL    NOT NULL
);
