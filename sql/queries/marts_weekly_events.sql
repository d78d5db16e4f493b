-- marts.weekly_events for the given weeks (%(full)s: for every week): the sums of those weeks taken again from
-- marts.daily_events over the seven days of each (%(week_days)s, through its key), emptied groups deleted.
WITH fresh AS (
    SELECT date_trunc('week', event_date)::date AS week_start,
           actor, target_country, weapon,
           sum(events)::bigint AS events,
           sum(claimed)::bigint AS claimed,
           sum(reported)::bigint AS reported,
           sum(corroborated)::bigint AS corroborated,
           sum(intercepted)::bigint AS intercepted,
           sum(hit)::bigint AS hit
    FROM marts.daily_events
    WHERE %(full)s OR event_date = ANY(%(week_days)s::date[])
    GROUP BY 1, 2, 3, 4
), emptied AS (
    DELETE FROM marts.weekly_events t
    WHERE (%(full)s OR t.week_start = ANY(%(weeks)s::date[]))
      AND NOT EXISTS (
          SELECT 1 FROM fresh f
          WHERE f.week_start = t.week_start AND f.actor = t.actor AND f.target_country = t.target_country
            AND f.weapon = t.weapon
      )
    RETURNING 1
), written AS (
    INSERT INTO marts.weekly_events AS t
    SELECT * FROM fresh
    ON CONFLICT (week_start, actor, target_country, weapon) DO UPDATE SET
        events = EXCLUDED.events,
        claimed = EXCLUDED.claimed,
        reported = EXCLUDED.reported,
        corroborated = EXCLUDED.corroborated,
        intercepted = EXCLUDED.intercepted,
        hit = EXCLUDED.hit
    WHERE (t.*) IS DISTINCT FROM (EXCLUDED.*)
    RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM emptied) AS dropped;
