SELECT r.quarantined AS expected, (SELECT count(*) FROM ops.quarantine q WHERE q.crawl_run_id = r.crawl_run_id) AS observed
FROM ops.crawl_runs r WHERE r.crawl_run_id = %(crawl_run_id)s;
