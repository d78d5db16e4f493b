-- Rows the crawl run says it added vs rows in raw.documents that carry its id.
SELECT r.new_rows AS expected, (SELECT count(*) FROM raw.documents d WHERE d.crawl_run_id = r.crawl_run_id) AS observed
FROM ops.crawl_runs r WHERE r.crawl_run_id = %(crawl_run_id)s;
