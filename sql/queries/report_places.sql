-- claimwatch report: the points of the map, one per targeted place (events at the same place and coordinates to
-- about 1 km together).
SELECT coalesce(e.location_name, '(unnamed place)') AS location_name,
       e.target_country,
       avg(e.lat) AS lat,
       avg(e.lon) AS lon,
       count(*) AS events,
       count(*) FILTER (WHERE e.intercepted) AS intercepted,
       count(*) FILTER (WHERE e.hit) AS hit,
       max(e.event_date) AS last_date
FROM marts.events e
WHERE e.lat IS NOT NULL AND e.lon IS NOT NULL
GROUP BY 1, 2, round(e.lat::numeric, 2), round(e.lon::numeric, 2)
ORDER BY events DESC, location_name;
