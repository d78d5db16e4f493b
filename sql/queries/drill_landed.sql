-- What a source holds after a drill: raw rows, distinct posts among them, and normalized documents.
-- Exactly once means rows = posts = the corpus's posts (and core has one document per post).
SELECT (SELECT count(*) FROM raw.documents d WHERE d.source_id = %(source_id)s) AS raw_rows,
       (SELECT count(DISTINCT d.external_id) FROM raw.documents d WHERE d.source_id = %(source_id)s) AS posts,
       (SELECT count(*) FROM core.documents d WHERE d.source_id = %(source_id)s) AS documents;
