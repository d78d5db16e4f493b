-- New, empty events for the rows the linker could not place in an existing one (summaries follow), stamped with
-- the linker version that made them.
INSERT INTO core.events (status, needs_refresh, link_version)
SELECT 'reported only', true, %(version)s FROM generate_series(1, %(n)s)
RETURNING event_id;
