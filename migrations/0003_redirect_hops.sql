-- crawl schema, version 3: redirect chains.
-- How many redirects led to this URL (0 for a URL found as a link or a seed); a chain stops at 10.
ALTER TABLE urls ADD COLUMN redirect_hops INTEGER NOT NULL DEFAULT 0;
