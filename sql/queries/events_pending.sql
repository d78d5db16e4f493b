-- Events whose summary the next refresh recomputes.
SELECT count(*) FROM core.events WHERE needs_refresh;
