-- crawl schema, version 4: the Sitemap lines of each host's robots.txt (a JSON array), recorded
-- whenever robots.txt is fetched; `--sitemaps` crawls them.
ALTER TABLE hosts ADD COLUMN sitemaps TEXT;
