-- 006: events (one row per real-world operation), analyst corrections, and marts that count events, not rows.
--
-- core.claims holds one row per operation *as a document tells it*: the same shoot-down told in seven posts, a
-- communiqué and its English twin, a repost in another channel are separate rows. core.events clusters them
-- (claimwatch.transform.events): every claim and report row carries the event_id of the operation it tells.
-- Corrections by analysts are stored here and applied after every extraction, so they survive reprocess.

CREATE TABLE core.events (
    event_id        bigserial PRIMARY KEY,
    event_date      date,
    actor           text,
    weapon          text,
    target_country  text,
    location_id     text REFERENCES core.locations (location_id),
    location_name   text,
    lat             double precision,
    lon             double precision,
    claims          integer NOT NULL DEFAULT 0,
    reports         integer NOT NULL DEFAULT 0,
    documents       integer NOT NULL DEFAULT 0,
    sources         integer NOT NULL DEFAULT 0,
    intercepted     boolean,
    hit             boolean,
    status          text NOT NULL CHECK (status IN ('claimed only', 'reported only', 'claimed and corroborated')),
    first_seen_at   timestamptz,
    needs_refresh   boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE core.events IS 'One row per real-world operation: the claims and reports of the same attack across posts, channels, languages and news sites (claimwatch.transform.events).';
COMMENT ON COLUMN core.events.event_id IS 'Surrogate id; core.claims.event_id points here.';
COMMENT ON COLUMN core.events.event_date IS 'Date of the operation: the earliest date its members give.';
COMMENT ON COLUMN core.events.actor IS 'Attacking side: the claimant when a claim is a member, else the actor most reports name (unknown when none does).';
COMMENT ON COLUMN core.events.weapon IS 'Weapon the members name most (unspecified when none names one).';
COMMENT ON COLUMN core.events.target_country IS 'ISO 3166-1 alpha-2 of the target, or SEA.';
COMMENT ON COLUMN core.events.location_id IS 'Gazetteer entry of the most specific target place the members name.';
COMMENT ON COLUMN core.events.location_name IS 'Most specific target place the members name.';
COMMENT ON COLUMN core.events.lat IS 'Latitude of the place.';
COMMENT ON COLUMN core.events.lon IS 'Longitude of the place.';
COMMENT ON COLUMN core.events.claims IS 'Member rows that are the attacker''s own claim (reposts of one communiqué count once).';
COMMENT ON COLUMN core.events.reports IS 'Member rows that are third-party reports (reposts count once).';
COMMENT ON COLUMN core.events.documents IS 'Distinct documents (posts, articles) among the members, reposts included.';
COMMENT ON COLUMN core.events.sources IS 'Distinct sources (channels, sites) among the members.';
COMMENT ON COLUMN core.events.intercepted IS 'true when a member says it was intercepted or shot down.';
COMMENT ON COLUMN core.events.hit IS 'true when a member says it hit (damage, casualties, destroyed).';
COMMENT ON COLUMN core.events.status IS 'claimed only, reported only, or claimed and corroborated (a claim and an independent report).';
COMMENT ON COLUMN core.events.first_seen_at IS 'Publication time of the earliest member document.';
COMMENT ON COLUMN core.events.needs_refresh IS 'Members changed since the summary columns were computed (cleared by the clustering step).';
COMMENT ON COLUMN core.events.updated_at IS 'When the event''s members or summary last changed.';
CREATE INDEX events_date ON core.events (event_date);
CREATE INDEX events_needs_refresh ON core.events (event_id) WHERE needs_refresh;

ALTER TABLE core.claims ADD COLUMN event_id bigint REFERENCES core.events (event_id) ON DELETE SET NULL;
ALTER TABLE core.claims ADD COLUMN retracted boolean NOT NULL DEFAULT false;
ALTER TABLE core.claims ADD COLUMN corrected boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN core.claims.event_id IS 'The real-world operation (core.events) this row tells; null until clustered, and for retracted rows.';
COMMENT ON COLUMN core.claims.retracted IS 'An analyst marked the row wrong (core.corrections): it belongs to no event and no mart.';
COMMENT ON COLUMN core.claims.corrected IS 'An analyst corrected a field of the row (core.corrections): the values shown are the analyst''s.';
COMMENT ON COLUMN core.claims.extractor_version IS 'Version of the extractor (rules and model, rules-x+model-y) that produced the row; the reprocess DAG re-extracts older versions.';
CREATE INDEX claims_event ON core.claims (event_id);
CREATE INDEX claims_unclustered ON core.claims (claim_id) WHERE event_id IS NULL AND NOT retracted;

CREATE TABLE core.corrections (
    correction_id   bigserial PRIMARY KEY,
    action          text NOT NULL CHECK (action IN ('set', 'wrong', 'merge', 'split')),
    doc_id          bigint NOT NULL REFERENCES core.documents (doc_id) ON DELETE CASCADE,
    operation_index smallint NOT NULL,
    field           text CHECK (field IN ('kind', 'actor', 'weapon', 'target_country', 'location_name', 'event_date', 'intercepted')),
    value           text,
    other_doc_id    bigint REFERENCES core.documents (doc_id) ON DELETE CASCADE,
    other_operation_index smallint,
    analyst         text NOT NULL,
    note            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((action = 'set') = (field IS NOT NULL)),
    CHECK ((action IN ('merge', 'split')) = (other_doc_id IS NOT NULL))
);
COMMENT ON TABLE core.corrections IS 'What analysts corrected (claimwatch review): re-applied after every extraction and clustering, so they survive reprocess, and used as labels by claimwatch train.';
COMMENT ON COLUMN core.corrections.correction_id IS 'Surrogate id; later corrections of the same field win.';
COMMENT ON COLUMN core.corrections.action IS 'set: a field of an operation has this value; wrong: the operation is not one (retracted); merge: the two operations are the same event; split: they are different events.';
COMMENT ON COLUMN core.corrections.doc_id IS 'Document of the corrected operation (stable across re-extraction, unlike claim_id).';
COMMENT ON COLUMN core.corrections.operation_index IS 'Which operation of the document (0 = the first).';
COMMENT ON COLUMN core.corrections.field IS 'For set: the corrected field.';
COMMENT ON COLUMN core.corrections.value IS 'For set: the analyst''s value (text; null clears the field).';
COMMENT ON COLUMN core.corrections.other_doc_id IS 'For merge and split: the document of the other operation.';
COMMENT ON COLUMN core.corrections.other_operation_index IS 'For merge and split: which operation of the other document.';
COMMENT ON COLUMN core.corrections.analyst IS 'Who made the correction.';
COMMENT ON COLUMN core.corrections.note IS 'Why, in the analyst''s words.';
COMMENT ON COLUMN core.corrections.created_at IS 'When the correction was made.';
CREATE INDEX corrections_doc ON core.corrections (doc_id);

-- Links between pairs of rows give way to events (a claim is corroborated when a report shares its event).
DROP MATERIALIZED VIEW marts.claim_confirmation;
DROP TABLE core.claim_links;

-- The row-counting marts give way to marts that count events.
DROP MATERIALIZED VIEW marts.weekly_operations;
DROP MATERIALIZED VIEW marts.daily_operations;

CREATE MATERIALIZED VIEW marts.events AS
SELECT e.event_id,
       e.event_date,
       e.actor,
       e.weapon,
       e.target_country,
       e.location_name,
       e.lat,
       e.lon,
       e.status,
       e.intercepted,
       e.hit,
       e.claims,
       e.reports,
       e.documents,
       e.sources,
       m.source_ids,
       m.claim_ids,
       m.report_ids,
       m.urls,
       e.first_seen_at
FROM core.events e
JOIN LATERAL (
    SELECT array_agg(DISTINCT d.source_id ORDER BY d.source_id) AS source_ids,
           array_agg(c.claim_id ORDER BY c.claim_id) FILTER (WHERE c.kind = 'claim') AS claim_ids,
           array_agg(c.claim_id ORDER BY c.claim_id) FILTER (WHERE c.kind = 'report') AS report_ids,
           array_agg(DISTINCT d.url) AS urls
    FROM core.claims c
    JOIN core.documents d ON d.doc_id = c.doc_id
    WHERE c.event_id = e.event_id AND NOT c.retracted
) m ON true
WHERE e.claims + e.reports > 0;
CREATE UNIQUE INDEX events_key ON marts.events (event_id);
COMMENT ON MATERIALIZED VIEW marts.events IS 'One row per real-world operation, however many posts, channels, languages and news sites carry it, with its members and status.';
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

CREATE MATERIALIZED VIEW marts.daily_events AS
SELECT event_date,
       coalesce(actor, 'unknown') AS actor,
       coalesce(target_country, 'unknown') AS target_country,
       coalesce(weapon, 'unspecified') AS weapon,
       count(*) AS events,
       count(*) FILTER (WHERE claims > 0) AS claimed,
       count(*) FILTER (WHERE reports > 0) AS reported,
       count(*) FILTER (WHERE status = 'claimed and corroborated') AS corroborated,
       count(*) FILTER (WHERE intercepted) AS intercepted,
       count(*) FILTER (WHERE hit) AS hit
FROM marts.events
WHERE event_date IS NOT NULL
GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX daily_events_key ON marts.daily_events (event_date, actor, target_country, weapon);
COMMENT ON MATERIALIZED VIEW marts.daily_events IS 'Events (not rows) per day by actor, target country and weapon.';
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

CREATE MATERIALIZED VIEW marts.weekly_events AS
SELECT date_trunc('week', event_date)::date AS week_start,
       actor, target_country, weapon,
       sum(events)::bigint AS events,
       sum(claimed)::bigint AS claimed,
       sum(reported)::bigint AS reported,
       sum(corroborated)::bigint AS corroborated,
       sum(intercepted)::bigint AS intercepted,
       sum(hit)::bigint AS hit
FROM marts.daily_events
GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX weekly_events_key ON marts.weekly_events (week_start, actor, target_country, weapon);
COMMENT ON MATERIALIZED VIEW marts.weekly_events IS 'Events per ISO week (Monday start) by actor, target country and weapon.';
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

CREATE MATERIALIZED VIEW marts.claim_confirmation AS
SELECT c.claim_id,
       c.event_id,
       c.event_date,
       c.actor,
       c.weapon,
       c.target_country,
       c.location_name,
       d.url AS claimed_in,
       e.reports AS corroborating_reports,
       e.sources AS sources,
       e.intercepted AS reported_intercepted,
       e.status = 'claimed and corroborated' AS confirmed
FROM core.claims c
JOIN core.documents d ON d.doc_id = c.doc_id
JOIN core.events e ON e.event_id = c.event_id
WHERE c.kind = 'claim' AND NOT c.retracted AND d.near_dup_of IS NULL;
CREATE UNIQUE INDEX claim_confirmation_key ON marts.claim_confirmation (claim_id);
COMMENT ON MATERIALIZED VIEW marts.claim_confirmation IS 'Each claimed operation (reposts left out) and whether an independent report of the same event corroborates it.';
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

GRANT SELECT ON ALL TABLES IN SCHEMA marts TO claimwatch_analyst, claimwatch_loader;
GRANT SELECT ON core.events, core.corrections TO claimwatch_analyst;
