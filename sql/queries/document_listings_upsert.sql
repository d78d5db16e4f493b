-- Provenance of articles: every feed, sitemap or listing page that named an article URL in this crawl, whether or
-- not this crawl fetched it (another listing of the site may have, within the revisit window). One statement per
-- crawl, in the transaction that records the crawl's fetch validators.
INSERT INTO ops.document_listings AS l (url, source_id, listed_on, found_as, first_seen_at, last_seen_at,
                                        last_crawl_run_id)
SELECT DISTINCT ON (v.url, v.listed_on)
       v.url, %(source_id)s, v.listed_on, v.found_as, now(), now(), %(crawl_run_id)s
FROM unnest(%(urls)s::text[], %(listed_on)s::text[], %(found_as)s::text[]) AS v(url, listed_on, found_as)
ORDER BY v.url, v.listed_on
ON CONFLICT (url, source_id, listed_on) DO UPDATE
SET last_seen_at = EXCLUDED.last_seen_at,
    last_crawl_run_id = EXCLUDED.last_crawl_run_id;
