-- claimwatch report: events per target country (the shading of the map).
SELECT coalesce(e.target_country, 'unknown') AS target_country, count(*) AS events
FROM marts.events e
GROUP BY 1
ORDER BY events DESC, target_country;
