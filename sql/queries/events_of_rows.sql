-- The events of given rows (merge partners the date window did not bring in).
SELECT claim_id, event_id FROM core.claims WHERE claim_id = ANY(%(ids)s) AND event_id IS NOT NULL;
