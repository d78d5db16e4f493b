-- claimwatch report: totals per attacking actor over every event, dated or not (the interception rate per actor).
SELECT coalesce(e.actor, 'unknown') AS actor,
       coalesce(a.name_en, initcap(replace(coalesce(e.actor, 'unknown'), '_', ' '))) AS actor_name,
       count(*) AS events,
       count(*) FILTER (WHERE e.claims > 0) AS claimed,
       count(*) FILTER (WHERE e.reports > 0) AS reported,
       count(*) FILTER (WHERE e.status = 'claimed and corroborated') AS corroborated,
       count(*) FILTER (WHERE e.intercepted) AS intercepted,
       count(*) FILTER (WHERE e.hit) AS hit
FROM marts.events e
LEFT JOIN core.actors a ON a.actor_id = e.actor
GROUP BY 1, 2
ORDER BY events DESC, actor;
