-- Land the staged batch: one row per (source, document, content version); versions already landed are skipped,
-- so a re-run or a retried batch adds nothing. Within a batch the first occurrence of a version wins.
-- An article (external_id is its canonical URL, global) already landed in this version by another source of its
-- site (RSS, Atom and sitemap are separate sources) is not landed again; a post id is unique only in its channel.
INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body,
                           published_at, meta, original, crawl_run_id, body_text, body_text_version)
SELECT DISTINCT ON (source_id, external_id, content_sha256)
       source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body,
       published_at, meta, original, %(crawl_run_id)s, body_text, body_text_version
FROM stage_raw_documents AS s
WHERE NOT (s.external_id LIKE 'http%%' AND EXISTS (
    SELECT 1 FROM raw.documents AS d
    WHERE d.external_id = s.external_id AND d.content_sha256 = s.content_sha256 AND d.source_id <> s.source_id
))
ORDER BY source_id, external_id, content_sha256, fetched_at
ON CONFLICT (source_id, external_id, content_sha256) DO NOTHING;
