-- Landed counts are added as each batch commits, so a killed crawl's row still tells what it landed.
UPDATE ops.crawl_runs
SET new_rows = new_rows + %(new_rows)s, quarantined = quarantined + %(quarantined)s
WHERE crawl_run_id = %(crawl_run_id)s;
