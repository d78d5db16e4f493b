-- Point each document of a batch at the document it duplicates (NULL: it is the first of its kind).
UPDATE core.documents d SET near_dup_of = v.near_dup_of::bigint
FROM (VALUES %s) AS v (doc_id, near_dup_of)
WHERE d.doc_id = v.doc_id AND d.near_dup_of IS DISTINCT FROM v.near_dup_of::bigint;
