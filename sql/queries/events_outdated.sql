-- Events another linker version made: their rows leave them to be placed again by this one (the emptied events
-- are marked for refresh, which drops them). Returns how many rows were released.
WITH old AS (
    UPDATE core.events SET needs_refresh = true
    WHERE link_version IS DISTINCT FROM %(version)s
    RETURNING event_id
), released AS (
    UPDATE core.claims SET event_id = NULL
    WHERE event_id IN (SELECT event_id FROM old)
    RETURNING claim_id
)
SELECT count(*) FROM released;
