-- crawl schema, version 2: incremental recrawl and run history.

-- One row per fetch of a URL (the first one and every revisit): what came back and whether it
-- changed. `crawl stats` reads what changed from here.
CREATE TABLE fetches (
    id            INTEGER PRIMARY KEY,
    url_id        INTEGER NOT NULL REFERENCES urls(id),
    run_id        INTEGER REFERENCES runs(id),
    at            REAL    NOT NULL,
    status        INTEGER,                 -- HTTP status; NULL for a transport error
    bytes         INTEGER,
    content_hash  TEXT,
    outcome       TEXT    NOT NULL
                  CHECK (outcome IN ('new', 'changed', 'unchanged', 'not_modified', 'gone', 'error'))
);
CREATE INDEX fetches_by_url ON fetches(url_id, at);
CREATE INDEX fetches_by_run ON fetches(run_id, outcome);

-- Done pages become due again `revisit_after` seconds after they were fetched.
CREATE INDEX urls_revisit ON urls(host_id, fetched_at) WHERE state = 'done';
CREATE INDEX urls_revisit_all ON urls(fetched_at) WHERE state = 'done';

-- Run history: what each run changed, and how many it fetched without change.
ALTER TABLE runs ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN new_pages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;

-- Per-host counters for `crawl stats --hosts`, kept with each batch (no scan of urls).
ALTER TABLE hosts ADD COLUMN fetched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hosts ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
