-- Analysts' merges and splits as pairs of current rows (corrections name operations by document and index, so
-- they outlive re-extraction); the latest decision about a pair wins.
SELECT DISTINCT ON (least(a.claim_id, b.claim_id), greatest(a.claim_id, b.claim_id))
       a.claim_id AS a, b.claim_id AS b, k.action
FROM core.corrections k
JOIN core.claims a ON a.doc_id = k.doc_id AND a.operation_index = k.operation_index
JOIN core.claims b ON b.doc_id = k.other_doc_id AND b.operation_index = k.other_operation_index
WHERE k.action IN ('merge', 'split')
ORDER BY least(a.claim_id, b.claim_id), greatest(a.claim_id, b.claim_id), k.correction_id DESC;
