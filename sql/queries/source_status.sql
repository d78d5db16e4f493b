-- Per source: what `claimwatch status` and the source_health DAG judge (last success, latest run, its rows and
-- errors), from ops.source_health. Sources that never crawled have no row here.
SELECT source_id, last_status, last_started_at, last_success_at, last_new_rows, last_errors, failures_24h,
       now() AS checked_at
FROM ops.source_health
WHERE source_id = ANY(%(source_ids)s);
