INSERT INTO ops.dq_results (source_id, dag_run_id, crawl_run_id, check_name, severity, passed, observed, expected)
VALUES (%(source_id)s, %(dag_run_id)s, %(crawl_run_id)s, %(check_name)s, %(severity)s, %(passed)s, %(observed)s,
        %(expected)s);
