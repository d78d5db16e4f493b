-- Which linker made each event. A new link model (claimwatch train) or clustering rule gives a new version; the
-- next clustering run places the rows of events made by another version again, as reprocess re-extracts rows of
-- another extractor version. Events of before this column (null) are placed again once.

ALTER TABLE core.events ADD COLUMN link_version text;
COMMENT ON COLUMN core.events.link_version IS 'Version of the linker (clustering rules and link model) that made the event; rows of events of another version are clustered again.';
CREATE INDEX events_link_version ON core.events (link_version);
