-- The rows of one event, for claimwatch review.
SELECT c.claim_id, c.kind, c.actor, c.location_name, c.event_date, d.url
FROM core.claims c
JOIN core.documents d ON d.doc_id = c.doc_id
WHERE c.event_id = %(event_id)s AND NOT c.retracted
ORDER BY c.claim_id;
