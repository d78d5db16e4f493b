INSERT INTO ops.loads (crawl_run_id, target_table, rows_in, rows_new, duration_s)
VALUES (%(crawl_run_id)s, %(target_table)s, %(rows_in)s, %(rows_new)s, %(duration_s)s);
