-- Events another linker version made: their rows leave them to be placed again by this one (the emptied events
-- are marked for refresh, which drops them). Returns how many rows were released. The predicate is
-- "link_version IS DISTINCT FROM version" spelt as two ranges and a null test, which the index on link_version
-- answers without reading the table (a run with an unchanged linker touches no event).
WITH old AS (
    UPDATE core.events SET needs_refresh = true
    WHERE link_version IS NULL OR link_version < %(version)s OR link_version > %(version)s
    RETURNING event_id
), released AS (
    UPDATE core.claims SET event_id = NULL
    WHERE event_id IN (SELECT event_id FROM old)
    RETURNING claim_id
)
SELECT count(*) FROM released;
