-- Recompute the summary of every event whose members changed, and drop events left without members. Returns the
-- ids of those events (updated or dropped): the events step brings their marts rows up to date (marts_*.sql).
-- Reposts (near-duplicate documents) count once in claims and reports; the actor is the claimant's when a claim is
-- a member, else the one reports name most; weapon, country and place the ones members name most.
WITH touched AS (
    SELECT event_id FROM core.events WHERE needs_refresh
), m AS (
    SELECT c.event_id, c.kind, c.actor, c.weapon, c.target_country, c.location_id, c.location_name, c.lat, c.lon,
           c.event_date, c.intercepted, d.doc_id, d.source_id, d.published_at, coalesce(d.near_dup_of, d.doc_id) AS story
    FROM core.claims c
    JOIN core.documents d ON d.doc_id = c.doc_id
    WHERE c.event_id IN (SELECT event_id FROM touched) AND NOT c.retracted
), s AS (
    SELECT event_id,
           min(event_date) AS event_date,
           coalesce(mode() WITHIN GROUP (ORDER BY actor) FILTER (WHERE kind = 'claim' AND actor <> 'unknown'),
                    mode() WITHIN GROUP (ORDER BY actor) FILTER (WHERE actor <> 'unknown'), 'unknown') AS actor,
           coalesce(mode() WITHIN GROUP (ORDER BY weapon) FILTER (WHERE weapon <> 'unspecified'), 'unspecified')
               AS weapon,
           mode() WITHIN GROUP (ORDER BY target_country) AS target_country,
           mode() WITHIN GROUP (ORDER BY location_id) AS location_id,
           mode() WITHIN GROUP (ORDER BY location_name) FILTER (WHERE location_id IS NULL) AS free_location,
           count(DISTINCT story) FILTER (WHERE kind = 'claim') AS claims,
           count(DISTINCT story) FILTER (WHERE kind = 'report') AS reports,
           count(DISTINCT doc_id) AS documents,
           count(DISTINCT source_id) AS sources,
           bool_or(intercepted) AS intercepted,
           bool_or(NOT intercepted) AS hit,
           min(published_at) AS first_seen_at
    FROM m
    GROUP BY event_id
), updated AS (
    UPDATE core.events e SET
        event_date = s.event_date,
        actor = s.actor,
        weapon = s.weapon,
        target_country = s.target_country,
        location_id = s.location_id,
        location_name = coalesce(l.name_en, s.free_location),
        lat = l.lat,
        lon = l.lon,
        claims = s.claims,
        reports = s.reports,
        documents = s.documents,
        sources = s.sources,
        intercepted = coalesce(s.intercepted, false),
        hit = coalesce(s.hit, false),
        status = CASE WHEN s.claims > 0 AND s.reports > 0 THEN 'claimed and corroborated'
                      WHEN s.claims > 0 THEN 'claimed only' ELSE 'reported only' END,
        first_seen_at = s.first_seen_at,
        needs_refresh = false,
        updated_at = now()
    FROM s
    LEFT JOIN core.locations l ON l.location_id = s.location_id
    WHERE e.event_id = s.event_id
    RETURNING e.event_id
), dropped AS (
    DELETE FROM core.events e
    WHERE e.event_id IN (SELECT event_id FROM touched)
      AND e.event_id NOT IN (SELECT event_id FROM updated)
      AND NOT EXISTS (SELECT 1 FROM core.claims c WHERE c.event_id = e.event_id)
)
SELECT event_id FROM touched ORDER BY event_id;
