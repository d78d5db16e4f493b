-- Every landed document has a normalized row.
SELECT (SELECT count(DISTINCT external_id) FROM raw.documents WHERE source_id = %(source_id)s) AS expected,
       (SELECT count(*) FROM core.documents WHERE source_id = %(source_id)s) AS observed;
