-- crawl schema, version 5: WARC output (--warc). Where each archived record is, so that a run
-- can check the files against what was committed, and fetch again what was lost.

-- The WARC files the job has committed records in. `committed_end` is the offset just after the
-- last record group a committed batch points into: every byte before it was written to the
-- file before that commit.
CREATE TABLE warc_files (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,             -- file name within the job's --warc directory
    committed_end  INTEGER NOT NULL DEFAULT 0
);

-- A fetch's archived record: its response (or revisit) record and where it is.
ALTER TABLE fetches ADD COLUMN warc_file INTEGER REFERENCES warc_files(id);
ALTER TABLE fetches ADD COLUMN warc_offset INTEGER;             -- of the record's gzip member
ALTER TABLE fetches ADD COLUMN warc_length INTEGER;             -- compressed length of the member
ALTER TABLE fetches ADD COLUMN warc_type TEXT;                  -- response | revisit
ALTER TABLE fetches ADD COLUMN warc_record_id TEXT;             -- <urn:uuid:...>
ALTER TABLE fetches ADD COLUMN warc_date REAL;                  -- its WARC-Date (unix seconds)
ALTER TABLE fetches ADD COLUMN warc_payload_digest TEXT;        -- sha1:BASE32 of the body as received
-- No index on them: only a repair after lost data (rare) looks records up by file, and it may scan.

-- The fetch whose response record holds the URL's current content; a revisit record refers to it.
-- A fetched URL without one (its record was lost) is fetched again.
ALTER TABLE urls ADD COLUMN warc_response INTEGER REFERENCES fetches(id);
