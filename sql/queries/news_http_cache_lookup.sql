-- What a news spider knows about URLs it is about to request: the validators of the last fetch (for a conditional
-- GET) and when the URL was last fetched or landed, by any source: an article is fetched once per revisit window
-- whichever listing of its site (RSS, Atom, sitemap, section page) names it. A URL counts as fetched when
-- ops.http_cache has it or when a document with that canonical URL as external_id was landed (the landing is the
-- stronger evidence: it survives a lost http_cache write). "recent" is decided here, on the warehouse clock, for
-- the asking source's revisit window; fetched_by names the source of the latest fetch.
WITH wanted AS (
    SELECT DISTINCT unnest(%(urls)s::text[]) AS url
)
SELECT w.url,
       c.etag,
       c.last_modified,
       c.content_sha256,
       GREATEST(c.fetched_at, d.fetched_at) AS last_fetched_at,
       COALESCE(GREATEST(c.fetched_at, d.fetched_at) > now() - make_interval(secs => %(revisit_seconds)s), false)
           AS recent,
       CASE WHEN d.fetched_at IS NULL OR c.fetched_at >= d.fetched_at THEN c.source_id ELSE d.source_id END
           AS fetched_by
FROM wanted AS w
LEFT JOIN LATERAL (
    SELECT h.source_id, h.etag, h.last_modified, h.content_sha256, h.fetched_at
    FROM ops.http_cache AS h
    WHERE h.url = w.url
    ORDER BY h.fetched_at DESC
    LIMIT 1
) AS c ON true
LEFT JOIN LATERAL (
    SELECT r.source_id, r.fetched_at
    FROM raw.documents AS r
    WHERE r.external_id = w.url
    ORDER BY r.fetched_at DESC
    LIMIT 1
) AS d ON true;
