-- Every document this crawl run landed has a normalized row: the run's own documents (index on crawl_run_id),
-- each looked up by its unique (source_id, external_id), so the check costs O(run), not O(history).
SELECT count(DISTINCT d.external_id) AS expected,
       count(DISTINCT d.external_id) FILTER (WHERE EXISTS (
           SELECT 1 FROM core.documents c WHERE c.source_id = d.source_id AND c.external_id = d.external_id
       )) AS observed
FROM raw.documents d
WHERE d.crawl_run_id = %(crawl_run_id)s AND d.source_id = %(source_id)s;
