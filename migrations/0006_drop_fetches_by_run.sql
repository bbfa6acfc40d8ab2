-- crawl schema, version 6: no index on fetches(run_id, outcome). Nothing reads fetches by run
-- (`crawl stats` reads the per-run counters of `runs`), and each fetch paid for one more B-tree
-- insert in the commit of its batch.
DROP INDEX IF EXISTS fetches_by_run;
