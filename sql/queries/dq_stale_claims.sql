-- Documents whose claims were not extracted by the current extractor.
SELECT 0 AS expected, count(DISTINCT c.doc_id) AS observed
FROM core.claims c JOIN core.documents d USING (doc_id)
WHERE d.source_id = %(source_id)s AND c.extractor_version <> %(extractor_version)s;
