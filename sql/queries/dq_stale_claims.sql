-- Documents extracted by another extractor version than the current one (their claims are stale until the
-- reprocess DAG runs). Written as two index ranges on (extractor_version, source_id), like extract_candidates:
-- with every document current, the check reads no document. Documents not extracted yet are not counted.
SELECT 0 AS expected, count(*) AS observed
FROM core.documents d
WHERE d.source_id = %(source_id)s
  AND (d.extractor_version < %(extractor_version)s OR d.extractor_version > %(extractor_version)s);
