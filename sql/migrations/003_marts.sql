-- 003: what analysts query. Materialized views refreshed by the marts DAG when core data lands.
-- Reposts are counted once: documents with near_dup_of set (a copy of an earlier communiqué) are left out.

CREATE SCHEMA IF NOT EXISTS marts;
COMMENT ON SCHEMA marts IS 'Analyst-facing aggregates over core.claims, refreshed by the marts DAG.';

CREATE MATERIALIZED VIEW marts.daily_operations AS
SELECT c.event_date,
       c.kind,
       coalesce(c.actor, 'unknown') AS actor,
       coalesce(c.target_country, 'unknown') AS target_country,
       coalesce(c.weapon, 'unspecified') AS weapon,
       count(*) AS operations,
       count(*) FILTER (WHERE c.intercepted) AS intercepted,
       count(*) FILTER (WHERE c.intercepted IS false) AS hit,
       count(DISTINCT d.source_id) AS sources
FROM core.claims c
JOIN core.documents d USING (doc_id)
WHERE d.near_dup_of IS NULL AND c.event_date IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
CREATE UNIQUE INDEX daily_operations_key ON marts.daily_operations (event_date, kind, actor, target_country, weapon);
COMMENT ON MATERIALIZED VIEW marts.daily_operations IS 'Operations per day by kind, actor, target country and weapon (reposts counted once).';
COMMENT ON COLUMN marts.daily_operations.event_date IS 'Date of the operation.';
COMMENT ON COLUMN marts.daily_operations.kind IS 'claim or report.';
COMMENT ON COLUMN marts.daily_operations.actor IS 'Attacking side (unknown when not stated).';
COMMENT ON COLUMN marts.daily_operations.target_country IS 'ISO country of the target, SEA, or unknown.';
COMMENT ON COLUMN marts.daily_operations.weapon IS 'Weapon class.';
COMMENT ON COLUMN marts.daily_operations.operations IS 'Number of operations.';
COMMENT ON COLUMN marts.daily_operations.intercepted IS 'Of which said to be intercepted or shot down.';
COMMENT ON COLUMN marts.daily_operations.hit IS 'Of which said to have hit.';
COMMENT ON COLUMN marts.daily_operations.sources IS 'Distinct sources the operations were read from.';

CREATE MATERIALIZED VIEW marts.weekly_operations AS
SELECT date_trunc('week', event_date)::date AS week_start,
       kind, actor, target_country, weapon,
       sum(operations)::bigint AS operations,
       sum(intercepted)::bigint AS intercepted,
       sum(hit)::bigint AS hit
FROM marts.daily_operations
GROUP BY 1, 2, 3, 4, 5;
CREATE UNIQUE INDEX weekly_operations_key ON marts.weekly_operations (week_start, kind, actor, target_country, weapon);
COMMENT ON MATERIALIZED VIEW marts.weekly_operations IS 'Operations per ISO week (Monday start) by kind, actor, target country and weapon.';
COMMENT ON COLUMN marts.weekly_operations.week_start IS 'Monday of the week.';
COMMENT ON COLUMN marts.weekly_operations.kind IS 'claim or report.';
COMMENT ON COLUMN marts.weekly_operations.actor IS 'Attacking side.';
COMMENT ON COLUMN marts.weekly_operations.target_country IS 'ISO country of the target, SEA, or unknown.';
COMMENT ON COLUMN marts.weekly_operations.weapon IS 'Weapon class.';
COMMENT ON COLUMN marts.weekly_operations.operations IS 'Number of operations.';
COMMENT ON COLUMN marts.weekly_operations.intercepted IS 'Of which intercepted.';
COMMENT ON COLUMN marts.weekly_operations.hit IS 'Of which said to have hit.';

CREATE MATERIALIZED VIEW marts.claim_confirmation AS
SELECT c.claim_id,
       c.event_date,
       c.actor,
       c.weapon,
       c.target_country,
       c.location_name,
       d.url AS claimed_in,
       count(l.report_id) FILTER (WHERE l.link_type = 'corroborates') AS corroborating_reports,
       count(l.report_id) FILTER (WHERE l.link_type = 'repost') AS reposts,
       bool_or(r.intercepted) AS reported_intercepted,
       count(l.report_id) FILTER (WHERE l.link_type = 'corroborates') > 0 AS confirmed
FROM core.claims c
JOIN core.documents d USING (doc_id)
LEFT JOIN core.claim_links l ON l.claim_id = c.claim_id
LEFT JOIN core.claims r ON r.claim_id = l.report_id
WHERE c.kind = 'claim' AND d.near_dup_of IS NULL
GROUP BY c.claim_id, c.event_date, c.actor, c.weapon, c.target_country, c.location_name, d.url;
CREATE UNIQUE INDEX claim_confirmation_key ON marts.claim_confirmation (claim_id);
COMMENT ON MATERIALIZED VIEW marts.claim_confirmation IS 'Each claimed operation and whether an independent report corroborates it.';
COMMENT ON COLUMN marts.claim_confirmation.claim_id IS 'The claim (core.claims).';
COMMENT ON COLUMN marts.claim_confirmation.event_date IS 'Claimed date of the operation.';
COMMENT ON COLUMN marts.claim_confirmation.actor IS 'Claiming actor.';
COMMENT ON COLUMN marts.claim_confirmation.weapon IS 'Claimed weapon.';
COMMENT ON COLUMN marts.claim_confirmation.target_country IS 'Claimed target country.';
COMMENT ON COLUMN marts.claim_confirmation.location_name IS 'Claimed target place.';
COMMENT ON COLUMN marts.claim_confirmation.claimed_in IS 'URL of the communiqué.';
COMMENT ON COLUMN marts.claim_confirmation.corroborating_reports IS 'Reports from other documents matching the claim.';
COMMENT ON COLUMN marts.claim_confirmation.reposts IS 'Other documents repeating the claim.';
COMMENT ON COLUMN marts.claim_confirmation.reported_intercepted IS 'Whether a linked report says it was intercepted.';
COMMENT ON COLUMN marts.claim_confirmation.confirmed IS 'At least one corroborating report.';
