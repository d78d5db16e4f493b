-- Telegram posts of this crawl run without a publication time cannot be dated; expected 0. Only the run's own
-- documents (index on crawl_run_id), each looked up by its unique key: O(run), not O(history).
SELECT 0 AS expected, count(*) AS observed
FROM raw.documents r
JOIN core.documents d ON d.source_id = r.source_id AND d.external_id = r.external_id
WHERE r.crawl_run_id = %(crawl_run_id)s AND r.source_id = %(source_id)s
  AND d.doc_type = 'telegram_post' AND d.published_at IS NULL;
