-- Land the staged batch: one row per (source, document, content version); versions already landed are skipped,
-- so a re-run or a retried batch adds nothing. Within a batch the first occurrence of a version wins.
INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body,
                           published_at, meta, crawl_run_id)
SELECT DISTINCT ON (source_id, external_id, content_sha256)
       source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body,
       published_at, meta, %(crawl_run_id)s
FROM stage_raw_documents
ORDER BY source_id, external_id, content_sha256, fetched_at
ON CONFLICT (source_id, external_id, content_sha256) DO NOTHING;
