-- 005: what a data engineer on call looks at first: one row per source with its latest crawl and its backlog.

CREATE VIEW ops.source_health AS
SELECT s.source_id,
       s.kind,
       s.enabled,
       st.cursor,
       st.updated_at AS cursor_moved_at,
       last_run.status AS last_status,
       last_run.started_at AS last_started_at,
       last_run.new_rows AS last_new_rows,
       last_run.errors AS last_errors,
       last_run.finish_reason AS last_finish_reason,
       (SELECT max(r.finished_at) FROM ops.crawl_runs r WHERE r.source_id = s.source_id AND r.status = 'success')
           AS last_success_at,
       (SELECT count(*) FROM ops.crawl_runs r
         WHERE r.source_id = s.source_id AND r.started_at > now() - interval '24 hours'
           AND r.status IN ('failed', 'abandoned')) AS failures_24h,
       (SELECT count(*) FROM raw.documents d
         WHERE d.source_id = s.source_id AND d.landed_at > now() - interval '24 hours') AS rows_24h,
       (SELECT count(*) FROM ops.quarantine q
         WHERE q.source_id = s.source_id AND q.received_at > now() - interval '24 hours') AS quarantined_24h,
       (SELECT count(*) FROM ops.dq_results q
         WHERE q.source_id = s.source_id AND NOT q.passed AND q.checked_at > now() - interval '24 hours')
           AS failed_checks_24h
FROM ops.sources s
LEFT JOIN ops.source_state st USING (source_id)
LEFT JOIN LATERAL (
    SELECT * FROM ops.crawl_runs r WHERE r.source_id = s.source_id ORDER BY r.crawl_run_id DESC LIMIT 1
) last_run ON true;
COMMENT ON VIEW ops.source_health IS 'One row per source: latest crawl, last success, and the last 24 hours of rows, failures, quarantine and failed checks.';
COMMENT ON COLUMN ops.source_health.source_id IS 'Source id.';
COMMENT ON COLUMN ops.source_health.kind IS 'Spider kind.';
COMMENT ON COLUMN ops.source_health.enabled IS 'Whether the source has a DAG.';
COMMENT ON COLUMN ops.source_health.cursor IS 'Current incremental cursor.';
COMMENT ON COLUMN ops.source_health.cursor_moved_at IS 'When the cursor last moved (a stale value means no complete crawl since).';
COMMENT ON COLUMN ops.source_health.last_status IS 'Status of the latest crawl run.';
COMMENT ON COLUMN ops.source_health.last_started_at IS 'Start of the latest crawl run.';
COMMENT ON COLUMN ops.source_health.last_new_rows IS 'Rows the latest crawl run landed.';
COMMENT ON COLUMN ops.source_health.last_errors IS 'Errors of the latest crawl run.';
COMMENT ON COLUMN ops.source_health.last_finish_reason IS 'Why the latest crawl stopped.';
COMMENT ON COLUMN ops.source_health.last_success_at IS 'End of the latest successful crawl.';
COMMENT ON COLUMN ops.source_health.failures_24h IS 'Failed or abandoned crawls in the last 24 hours.';
COMMENT ON COLUMN ops.source_health.rows_24h IS 'Raw rows landed in the last 24 hours.';
COMMENT ON COLUMN ops.source_health.quarantined_24h IS 'Quarantine rows in the last 24 hours.';
COMMENT ON COLUMN ops.source_health.failed_checks_24h IS 'Failed data-quality checks in the last 24 hours.';
GRANT SELECT ON ops.source_health TO claimwatch_loader;
