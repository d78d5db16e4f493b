-- What a news spider knows about URLs it is about to request: the validators of the last fetch (for a conditional
-- GET) and when the URL was last fetched or landed. A URL counts as fetched when ops.http_cache has it or when a
-- document with that canonical URL as external_id was landed (the landing is the stronger evidence: it survives a
-- lost http_cache write). "recent" is decided here, on the warehouse clock, for the source's revisit window.
WITH wanted AS (
    SELECT DISTINCT unnest(%(urls)s::text[]) AS url
)
SELECT w.url,
       c.etag,
       c.last_modified,
       c.content_sha256,
       GREATEST(c.fetched_at, d.fetched_at) AS last_fetched_at,
       COALESCE(GREATEST(c.fetched_at, d.fetched_at) > now() - make_interval(secs => %(revisit_seconds)s), false)
           AS recent
FROM wanted AS w
LEFT JOIN ops.http_cache AS c ON c.source_id = %(source_id)s AND c.url = w.url
LEFT JOIN LATERAL (
    SELECT max(fetched_at) AS fetched_at
    FROM raw.documents
    WHERE source_id = %(source_id)s AND external_id = w.url
) AS d ON true;
