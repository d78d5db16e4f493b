-- Take rows out of their events (a merge or split moves them); the event linker places them again under the
-- analysts' constraints, and the events they left are refreshed.
WITH moved AS (
    SELECT event_id FROM core.claims WHERE claim_id = ANY(%(claim_ids)s) AND event_id IS NOT NULL
), flagged AS (
    UPDATE core.events SET needs_refresh = true WHERE event_id IN (SELECT event_id FROM moved)
)
UPDATE core.claims SET event_id = NULL WHERE claim_id = ANY(%(claim_ids)s);
