-- Every crawl run of a source, oldest first: the killed try and the retry that finished it.
SELECT crawl_run_id, task_try, status, new_rows, errors, finish_reason
FROM ops.crawl_runs
WHERE source_id = %(source_id)s
ORDER BY crawl_run_id;
