-- Place rows in events (parallel arrays), and mark the receiving events for a summary refresh.
WITH v AS (
    SELECT unnest(%(claim_ids)s::bigint[]) AS claim_id, unnest(%(event_ids)s::bigint[]) AS event_id
), placed AS (
    UPDATE core.claims c SET event_id = v.event_id FROM v WHERE c.claim_id = v.claim_id
    RETURNING c.event_id
)
UPDATE core.events SET needs_refresh = true WHERE event_id IN (SELECT event_id FROM placed);
