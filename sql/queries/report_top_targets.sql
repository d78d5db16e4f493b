-- claimwatch report: the most targeted places (events per named place and target country), most events first.
SELECT e.location_name,
       e.target_country,
       count(*) AS events,
       count(*) FILTER (WHERE e.claims > 0) AS claimed,
       count(*) FILTER (WHERE e.reports > 0) AS reported,
       count(*) FILTER (WHERE e.intercepted) AS intercepted,
       count(*) FILTER (WHERE e.hit) AS hit,
       min(e.event_date) AS first_date,
       max(e.event_date) AS last_date
FROM marts.events e
WHERE e.location_name IS NOT NULL
GROUP BY e.location_name, e.target_country
ORDER BY events DESC, last_date DESC NULLS LAST, e.location_name
LIMIT %(limit)s;
