-- 007: nothing lost silently. Every URL or post a source lists ends as a landed document, a quarantine row with a
-- reason, or a counted skip with a reason; an article listed by several listings of one site is fetched once and
-- every listing that named it is kept; a page whose text had to be repaired keeps the bytes it came as.

ALTER TABLE ops.crawl_runs ADD COLUMN skips jsonb NOT NULL DEFAULT '{}'::jsonb;
COMMENT ON COLUMN ops.crawl_runs.skips IS 'Listed URLs or posts deliberately not fetched or not landed, counted by reason, e.g. {"fetched within the revisit window (24 h)": 12}.';
COMMENT ON COLUMN ops.crawl_runs.errors IS 'Failed items (requests, pages, documents that could not be landed): the sum of error_reasons.';
COMMENT ON COLUMN ops.crawl_runs.error_reasons IS 'Failed items counted by reason; errors is their sum.';

CREATE VIEW ops.crawl_run_skips AS
SELECT r.crawl_run_id, r.source_id, r.started_at, s.key AS reason, s.value::integer AS skipped
FROM ops.crawl_runs AS r, jsonb_each_text(r.skips) AS s;
COMMENT ON VIEW ops.crawl_run_skips IS 'One row per crawl run and skip reason: what was listed but deliberately not fetched or landed.';
COMMENT ON COLUMN ops.crawl_run_skips.crawl_run_id IS 'Crawl run.';
COMMENT ON COLUMN ops.crawl_run_skips.source_id IS 'Source crawled.';
COMMENT ON COLUMN ops.crawl_run_skips.started_at IS 'When the run started.';
COMMENT ON COLUMN ops.crawl_run_skips.reason IS 'Why the listed items were skipped.';
COMMENT ON COLUMN ops.crawl_run_skips.skipped IS 'How many were skipped for that reason.';
GRANT SELECT ON ops.crawl_run_skips TO claimwatch_loader;

ALTER TABLE raw.documents ADD COLUMN original bytea;
COMMENT ON COLUMN raw.documents.original IS 'The bytes received, kept only when body is a repaired decoding (e.g. mojibake fixed with ftfy); null when body is the faithful decoding.';

CREATE TABLE ops.document_listings (
    url                 text NOT NULL,
    source_id           text NOT NULL REFERENCES ops.sources (source_id),
    listed_on           text NOT NULL,
    found_as            text NOT NULL CHECK (found_as IN ('feed', 'sitemap', 'listing')),
    first_seen_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    last_crawl_run_id   bigint REFERENCES ops.crawl_runs (crawl_run_id),
    PRIMARY KEY (url, source_id, listed_on)
);
COMMENT ON TABLE ops.document_listings IS 'Provenance of news articles: every feed, sitemap or listing page that named an article URL, whichever of them got it fetched.';
COMMENT ON COLUMN ops.document_listings.url IS 'Canonical article URL (raw.documents.external_id once known; the listed URL without tracking parameters before).';
COMMENT ON COLUMN ops.document_listings.source_id IS 'Source whose listing named the article.';
COMMENT ON COLUMN ops.document_listings.listed_on IS 'URL of the feed, sitemap or listing page that named it.';
COMMENT ON COLUMN ops.document_listings.found_as IS 'feed, sitemap or listing.';
COMMENT ON COLUMN ops.document_listings.first_seen_at IS 'First crawl that saw the listing name it.';
COMMENT ON COLUMN ops.document_listings.last_seen_at IS 'Latest crawl that saw the listing name it.';
COMMENT ON COLUMN ops.document_listings.last_crawl_run_id IS 'Latest crawl run that saw the listing name it.';

-- An article is fetched once per revisit window whichever source of its site lists it: lookups by URL alone.
CREATE INDEX http_cache_url ON ops.http_cache (url, fetched_at DESC);
CREATE INDEX documents_external_id ON raw.documents (external_id);
