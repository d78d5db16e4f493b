-- One claim row with its document, for claimwatch review.
SELECT c.claim_id, c.doc_id, c.operation_index, c.event_id, c.kind, c.actor, c.weapon, c.target_country,
       c.location_name, c.event_date, c.intercepted, c.corrected, c.retracted, c.evidence, d.url
FROM core.claims c
JOIN core.documents d ON d.doc_id = c.doc_id
WHERE c.claim_id = %(claim_id)s;
