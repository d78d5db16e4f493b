-- A run still 'running' when a new one starts for the same source died without closing (killed worker).
UPDATE ops.crawl_runs
SET status = 'abandoned', finish_reason = coalesce(finish_reason, 'process died before closing the run')
WHERE source_id = %(source_id)s AND status = 'running';
