-- marts.claim_confirmation for the claims of the given events (%(full)s: of every event). Every change to a claim
-- row marks its event (extraction, corrections, merge and split, clustering), so the rows to write are the claims
-- now in those events (claims_event), and the rows to delete those the mart holds under them (its index on
-- event_id) that are not written again.
WITH fresh AS (
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
    WHERE c.kind = 'claim' AND NOT c.retracted AND d.near_dup_of IS NULL
      AND (%(full)s OR c.event_id = ANY(%(event_ids)s::bigint[]))
), dropped AS (
    DELETE FROM marts.claim_confirmation t
    WHERE (%(full)s OR t.event_id = ANY(%(event_ids)s::bigint[]))
      AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.claim_id = t.claim_id)
    RETURNING 1
), written AS (
    INSERT INTO marts.claim_confirmation AS t
    SELECT * FROM fresh
    ON CONFLICT (claim_id) DO UPDATE SET
        event_id = EXCLUDED.event_id,
        event_date = EXCLUDED.event_date,
        actor = EXCLUDED.actor,
        weapon = EXCLUDED.weapon,
        target_country = EXCLUDED.target_country,
        location_name = EXCLUDED.location_name,
        claimed_in = EXCLUDED.claimed_in,
        corroborating_reports = EXCLUDED.corroborating_reports,
        sources = EXCLUDED.sources,
        reported_intercepted = EXCLUDED.reported_intercepted,
        confirmed = EXCLUDED.confirmed
    WHERE (t.*) IS DISTINCT FROM (EXCLUDED.*)
    RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM dropped) AS dropped;
