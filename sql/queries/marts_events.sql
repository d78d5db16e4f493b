-- marts.events for the given events (%(full)s: for every event): upsert the rows of events with members, delete the
-- rows of the given events that have none left (or no longer exist). Returns the days whose daily counts may have
-- changed: the old and the new event_date of every row written or deleted (the old one read from the mart row
-- itself, as the daily counts saw it). Rows that come out identical are not written and add no day.
-- Restricted to a set of event ids, every table is read through its key (core.events, marts.events) or
-- claims_event (core.claims); a run that touched no event reads nothing.
WITH src AS (
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
    WHERE e.claims + e.reports > 0
      AND (%(full)s OR e.event_id = ANY(%(event_ids)s::bigint[]))
), old AS (
    SELECT event_id, event_date FROM marts.events
    WHERE %(full)s OR event_id = ANY(%(event_ids)s::bigint[])
), dropped AS (
    DELETE FROM marts.events m
    WHERE (%(full)s OR m.event_id = ANY(%(event_ids)s::bigint[]))
      AND NOT EXISTS (SELECT 1 FROM src WHERE src.event_id = m.event_id)
    RETURNING m.event_date
), written AS (
    INSERT INTO marts.events AS m
    SELECT * FROM src
    ON CONFLICT (event_id) DO UPDATE SET
        event_date = EXCLUDED.event_date,
        actor = EXCLUDED.actor,
        weapon = EXCLUDED.weapon,
        target_country = EXCLUDED.target_country,
        location_name = EXCLUDED.location_name,
        lat = EXCLUDED.lat,
        lon = EXCLUDED.lon,
        status = EXCLUDED.status,
        intercepted = EXCLUDED.intercepted,
        hit = EXCLUDED.hit,
        claims = EXCLUDED.claims,
        reports = EXCLUDED.reports,
        documents = EXCLUDED.documents,
        sources = EXCLUDED.sources,
        source_ids = EXCLUDED.source_ids,
        claim_ids = EXCLUDED.claim_ids,
        report_ids = EXCLUDED.report_ids,
        urls = EXCLUDED.urls,
        first_seen_at = EXCLUDED.first_seen_at
    WHERE (m.*) IS DISTINCT FROM (EXCLUDED.*)
    RETURNING m.event_id, m.event_date
)
SELECT coalesce(array_agg(DISTINCT day ORDER BY day), '{}'::date[]) AS days,
       (SELECT count(*) FROM written) AS written,
       (SELECT count(*) FROM dropped) AS dropped
FROM (
    SELECT event_date AS day FROM dropped
    UNION ALL SELECT event_date FROM written
    UNION ALL SELECT o.event_date FROM written w JOIN old o ON o.event_id = w.event_id
) touched
WHERE day IS NOT NULL;
