-- 013: the marts over events become tables the events step maintains, instead of materialized views refreshed in
-- full on every run (REFRESH of marts.events alone took 2.0 s at 1M posts, whatever the run brought).
--
-- The events step (claimwatch.transform.event_store) learns from its summary refresh which events it touched
-- (their members changed: new rows, re-extraction, an analyst's correction, merge or split, a new linker), and in
-- the same transaction upserts or deletes those rows of marts.events and marts.claim_confirmation, then
-- re-aggregates only the days (old and new event_date of those events) of marts.daily_events and their weeks of
-- marts.weekly_events (sql/queries/marts_*.sql; the same statements rebuild everything when run unrestricted).
-- Same columns, types, comments and grants as the views of 006. They start empty: ops.marts_state asks the next
-- events step for a full rebuild, as reprocess does.

DROP MATERIALIZED VIEW marts.weekly_events;
DROP MATERIALIZED VIEW marts.daily_events;
DROP MATERIALIZED VIEW marts.claim_confirmation;
DROP MATERIALIZED VIEW marts.events;

COMMENT ON SCHEMA marts IS 'Analyst-facing aggregates over core.claims and core.events, maintained by the events step (claimwatch.transform.marts).';

CREATE TABLE marts.events (
    event_id        bigint PRIMARY KEY,
    event_date      date,
    actor           text,
    weapon          text,
    target_country  text,
    location_name   text,
    lat             double precision,
    lon             double precision,
    status          text,
    intercepted     boolean,
    hit             boolean,
    claims          integer,
    reports         integer,
    documents       integer,
    sources         integer,
    source_ids      text[],
    claim_ids       bigint[],
    report_ids      bigint[],
    urls            text[],
    first_seen_at   timestamptz
);
CREATE INDEX events_event_date ON marts.events (event_date);
COMMENT ON TABLE marts.events IS 'One row per real-world operation, however many posts, channels, languages and news sites carry it, with its members and status.';
COMMENT ON COLUMN marts.events.event_id IS 'The event (core.events); core.claims.event_id points to it.';
COMMENT ON COLUMN marts.events.event_date IS 'Date of the operation.';
COMMENT ON COLUMN marts.events.actor IS 'Attacking side (the claimant when there is a claim; unknown when no member names one).';
COMMENT ON COLUMN marts.events.weapon IS 'Weapon class.';
COMMENT ON COLUMN marts.events.target_country IS 'ISO country of the target, or SEA.';
COMMENT ON COLUMN marts.events.location_name IS 'Most specific target place.';
COMMENT ON COLUMN marts.events.lat IS 'Latitude of the place.';
COMMENT ON COLUMN marts.events.lon IS 'Longitude of the place.';
COMMENT ON COLUMN marts.events.status IS 'claimed only, reported only, or claimed and corroborated.';
COMMENT ON COLUMN marts.events.intercepted IS 'A member says it was intercepted or shot down.';
COMMENT ON COLUMN marts.events.hit IS 'A member says it hit.';
COMMENT ON COLUMN marts.events.claims IS 'Claim rows among the members (reposts of one communiqué count once).';
COMMENT ON COLUMN marts.events.reports IS 'Report rows among the members (reposts count once).';
COMMENT ON COLUMN marts.events.documents IS 'Documents that carry the operation.';
COMMENT ON COLUMN marts.events.sources IS 'Sources that carry the operation.';
COMMENT ON COLUMN marts.events.source_ids IS 'Those sources.';
COMMENT ON COLUMN marts.events.claim_ids IS 'The member claims (core.claims).';
COMMENT ON COLUMN marts.events.report_ids IS 'The member reports (core.claims).';
COMMENT ON COLUMN marts.events.urls IS 'URLs of the member documents.';
COMMENT ON COLUMN marts.events.first_seen_at IS 'Publication time of the earliest member.';

CREATE TABLE marts.daily_events (
    event_date      date NOT NULL,
    actor           text NOT NULL,
    target_country  text NOT NULL,
    weapon          text NOT NULL,
    events          bigint,
    claimed         bigint,
    reported        bigint,
    corroborated    bigint,
    intercepted     bigint,
    hit             bigint,
    PRIMARY KEY (event_date, actor, target_country, weapon)
);
COMMENT ON TABLE marts.daily_events IS 'Events (not rows) per day by actor, target country and weapon.';
COMMENT ON COLUMN marts.daily_events.event_date IS 'Date of the operations.';
COMMENT ON COLUMN marts.daily_events.actor IS 'Attacking side (unknown when not stated).';
COMMENT ON COLUMN marts.daily_events.target_country IS 'ISO country of the target, SEA, or unknown.';
COMMENT ON COLUMN marts.daily_events.weapon IS 'Weapon class.';
COMMENT ON COLUMN marts.daily_events.events IS 'Operations.';
COMMENT ON COLUMN marts.daily_events.claimed IS 'Of which claimed by the attacker.';
COMMENT ON COLUMN marts.daily_events.reported IS 'Of which reported by a third party.';
COMMENT ON COLUMN marts.daily_events.corroborated IS 'Of which both claimed and independently reported.';
COMMENT ON COLUMN marts.daily_events.intercepted IS 'Of which said to be intercepted or shot down.';
COMMENT ON COLUMN marts.daily_events.hit IS 'Of which said to have hit.';

CREATE TABLE marts.weekly_events (
    week_start      date NOT NULL,
    actor           text NOT NULL,
    target_country  text NOT NULL,
    weapon          text NOT NULL,
    events          bigint,
    claimed         bigint,
    reported        bigint,
    corroborated    bigint,
    intercepted     bigint,
    hit             bigint,
    PRIMARY KEY (week_start, actor, target_country, weapon)
);
COMMENT ON TABLE marts.weekly_events IS 'Events per ISO week (Monday start) by actor, target country and weapon.';
COMMENT ON COLUMN marts.weekly_events.week_start IS 'Monday of the week.';
COMMENT ON COLUMN marts.weekly_events.actor IS 'Attacking side.';
COMMENT ON COLUMN marts.weekly_events.target_country IS 'ISO country of the target, SEA, or unknown.';
COMMENT ON COLUMN marts.weekly_events.weapon IS 'Weapon class.';
COMMENT ON COLUMN marts.weekly_events.events IS 'Operations.';
COMMENT ON COLUMN marts.weekly_events.claimed IS 'Of which claimed by the attacker.';
COMMENT ON COLUMN marts.weekly_events.reported IS 'Of which reported by a third party.';
COMMENT ON COLUMN marts.weekly_events.corroborated IS 'Of which claimed and independently reported.';
COMMENT ON COLUMN marts.weekly_events.intercepted IS 'Of which intercepted.';
COMMENT ON COLUMN marts.weekly_events.hit IS 'Of which said to have hit.';

CREATE TABLE marts.claim_confirmation (
    claim_id                bigint PRIMARY KEY,
    event_id                bigint,
    event_date              date,
    actor                   text,
    weapon                  text,
    target_country          text,
    location_name           text,
    claimed_in              text,
    corroborating_reports   integer,
    sources                 integer,
    reported_intercepted    boolean,
    confirmed               boolean
);
CREATE INDEX claim_confirmation_event ON marts.claim_confirmation (event_id);
COMMENT ON TABLE marts.claim_confirmation IS 'Each claimed operation (reposts left out) and whether an independent report of the same event corroborates it.';
COMMENT ON COLUMN marts.claim_confirmation.claim_id IS 'The claim (core.claims).';
COMMENT ON COLUMN marts.claim_confirmation.event_id IS 'Its event (marts.events).';
COMMENT ON COLUMN marts.claim_confirmation.event_date IS 'Claimed date of the operation.';
COMMENT ON COLUMN marts.claim_confirmation.actor IS 'Claiming actor.';
COMMENT ON COLUMN marts.claim_confirmation.weapon IS 'Claimed weapon.';
COMMENT ON COLUMN marts.claim_confirmation.target_country IS 'Claimed target country.';
COMMENT ON COLUMN marts.claim_confirmation.location_name IS 'Claimed target place.';
COMMENT ON COLUMN marts.claim_confirmation.claimed_in IS 'URL of the communiqué.';
COMMENT ON COLUMN marts.claim_confirmation.corroborating_reports IS 'Reports of the same event (reposts count once).';
COMMENT ON COLUMN marts.claim_confirmation.sources IS 'Sources that carry the event.';
COMMENT ON COLUMN marts.claim_confirmation.reported_intercepted IS 'Whether a member of the event says it was intercepted.';
COMMENT ON COLUMN marts.claim_confirmation.confirmed IS 'At least one independent report of the same event.';

-- Whether the next events step rebuilds the marts in full (after this migration, and after reprocess).
CREATE TABLE ops.marts_state (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    rebuild_due     boolean NOT NULL,
    rebuilt_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.marts_state IS 'The marts over events (marts.events, daily_events, weekly_events, claim_confirmation): one row saying whether the next events step rebuilds them in full instead of updating the events it touched.';
COMMENT ON COLUMN ops.marts_state.singleton IS 'Always true: the table holds one row.';
COMMENT ON COLUMN ops.marts_state.rebuild_due IS 'The next events step rebuilds the marts in full (set by migration 013 and by reprocess; cleared by the rebuild).';
COMMENT ON COLUMN ops.marts_state.rebuilt_at IS 'When the marts were last rebuilt in full.';
COMMENT ON COLUMN ops.marts_state.updated_at IS 'When the row last changed.';
INSERT INTO ops.marts_state (rebuild_due) VALUES (true);

-- The analyst reads the marts; the pipeline (claimwatch_loader) writes them and the state row.
GRANT SELECT ON marts.events, marts.daily_events, marts.weekly_events, marts.claim_confirmation TO claimwatch_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON marts.events, marts.daily_events, marts.weekly_events,
    marts.claim_confirmation TO claimwatch_loader;
GRANT SELECT, UPDATE ON ops.marts_state TO claimwatch_loader;
