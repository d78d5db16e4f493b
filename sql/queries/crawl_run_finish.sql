UPDATE ops.crawl_runs
SET status = %(status)s,
    finished_at = now(),
    duration_s = %(duration_s)s,
    requests = %(requests)s,
    responses_by_status = %(responses_by_status)s,
    items = %(items)s,
    bytes = %(bytes)s,
    errors = %(errors)s,
    error_reasons = %(error_reasons)s,
    skips = %(skips)s,
    finish_reason = %(finish_reason)s,
    cursor_after = (SELECT cursor FROM ops.source_state WHERE source_id = ops.crawl_runs.source_id)
WHERE crawl_run_id = %(crawl_run_id)s
RETURNING crawl_run_id, source_id, status, requests, items, new_rows, quarantined, bytes, errors, error_reasons,
          skips, duration_s, finish_reason, cursor_before, cursor_after;
