-- claimwatch report: the headline figures and the period the warehouse covers (one row, also on an empty warehouse).
SELECT count(*) AS events,
       min(e.event_date) AS first_date,
       max(e.event_date) AS last_date,
       count(*) FILTER (WHERE e.claims > 0) AS claimed,
       count(*) FILTER (WHERE e.reports > 0) AS reported,
       count(*) FILTER (WHERE e.status = 'claimed and corroborated') AS corroborated,
       count(*) FILTER (WHERE e.intercepted) AS intercepted,
       count(*) FILTER (WHERE e.hit) AS hit,
       count(*) FILTER (WHERE e.lat IS NULL OR e.lon IS NULL) AS unmapped,
       count(*) FILTER (WHERE e.event_date IS NULL) AS undated,
       (SELECT count(*) FROM core.documents) AS documents,
       (SELECT count(*) FROM ops.sources) AS sources
FROM marts.events e;
