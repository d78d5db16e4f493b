-- New, empty events for the rows the linker could not place in an existing one (summaries follow).
INSERT INTO core.events (status, needs_refresh)
SELECT 'reported only', true FROM generate_series(1, %(n)s)
RETURNING event_id;
