-- marts.daily_events for the given days (%(full)s: for every day): the counts of those days aggregated again from
-- marts.events (through its index on event_date), groups that emptied deleted, identical ones left unwritten.
WITH fresh AS (
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
      AND (%(full)s OR event_date = ANY(%(days)s::date[]))
    GROUP BY 1, 2, 3, 4
), emptied AS (
    DELETE FROM marts.daily_events t
    WHERE (%(full)s OR t.event_date = ANY(%(days)s::date[]))
      AND NOT EXISTS (
          SELECT 1 FROM fresh f
          WHERE f.event_date = t.event_date AND f.actor = t.actor AND f.target_country = t.target_country
            AND f.weapon = t.weapon
      )
    RETURNING 1
), written AS (
    INSERT INTO marts.daily_events AS t
    SELECT * FROM fresh
    ON CONFLICT (event_date, actor, target_country, weapon) DO UPDATE SET
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
