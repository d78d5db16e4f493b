-- Latest crawl run of each source, with what the source holds in total: the summary `claimwatch run` prints.
SELECT s.source_id, s.kind, r.status, r.requests, r.items, r.new_rows, r.quarantined, r.errors, r.duration_s,
       r.finish_reason,
       (SELECT count(*) FROM raw.documents d WHERE d.source_id = s.source_id) AS raw_rows,
       (SELECT count(*) FROM core.documents d WHERE d.source_id = s.source_id) AS documents,
       (SELECT count(*) FROM core.claims c JOIN core.documents d USING (doc_id) WHERE d.source_id = s.source_id)
           AS claims
FROM ops.sources s
LEFT JOIN LATERAL (
    SELECT * FROM ops.crawl_runs r WHERE r.source_id = s.source_id ORDER BY crawl_run_id DESC LIMIT 1
) r ON true
WHERE s.source_id = ANY(%(source_ids)s)
ORDER BY s.source_id;
