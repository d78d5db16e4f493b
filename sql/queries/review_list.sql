-- The latest analyst corrections.
SELECT correction_id, action, doc_id, operation_index, field, value, other_doc_id, other_operation_index, analyst,
       note, created_at
FROM core.corrections
ORDER BY correction_id DESC
LIMIT %(limit)s;
