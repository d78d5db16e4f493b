INSERT INTO ops.crawl_runs (source_id, dag_id, dag_run_id, task_try, cursor_before)
SELECT %(source_id)s, %(dag_id)s, %(dag_run_id)s, %(task_try)s,
       (SELECT cursor FROM ops.source_state WHERE source_id = %(source_id)s)
RETURNING crawl_run_id, cursor_before;
