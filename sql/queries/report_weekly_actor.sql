-- claimwatch report: events per ISO week and attacking actor (all target countries and weapons together), with
-- the actor's display name from the actor dimension.
SELECT w.week_start,
       w.actor,
       coalesce(a.name_en, initcap(replace(w.actor, '_', ' '))) AS actor_name,
       sum(w.events)::bigint AS events,
       sum(w.claimed)::bigint AS claimed,
       sum(w.reported)::bigint AS reported,
       sum(w.intercepted)::bigint AS intercepted,
       sum(w.hit)::bigint AS hit
FROM marts.weekly_events w
LEFT JOIN core.actors a ON a.actor_id = w.actor
GROUP BY w.week_start, w.actor, a.name_en
ORDER BY w.week_start, w.actor;
