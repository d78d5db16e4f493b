-- Store one analyst correction (claimwatch review).
INSERT INTO core.corrections (action, doc_id, operation_index, field, value, other_doc_id, other_operation_index,
                              analyst, note)
VALUES (%(action)s, %(doc_id)s, %(operation_index)s, %(field)s, %(value)s, %(other_doc_id)s,
        %(other_operation_index)s, %(analyst)s, %(note)s)
RETURNING correction_id;
