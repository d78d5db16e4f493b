-- claimwatch report: volume and freshness per source: documents held, events they carry, latest crawl and last
-- success (ops.source_health), and the newest document.
SELECT h.source_id,
       h.kind,
       h.enabled,
       h.last_status,
       h.last_started_at,
       h.last_success_at,
       h.failures_24h,
       h.rows_24h,
       coalesce(d.documents, 0) AS documents,
       d.last_published_at,
       coalesce(r.raw_rows, 0) AS raw_rows,
       coalesce(ev.events, 0) AS events
FROM ops.source_health h
LEFT JOIN (
    SELECT source_id, count(*) AS documents, max(published_at) AS last_published_at
    FROM core.documents GROUP BY source_id
) d USING (source_id)
LEFT JOIN (SELECT source_id, count(*) AS raw_rows FROM raw.documents GROUP BY source_id) r USING (source_id)
LEFT JOIN (
    SELECT s.source_id, count(*) AS events FROM marts.events e, unnest(e.source_ids) AS s(source_id)
    GROUP BY s.source_id
) ev USING (source_id)
ORDER BY documents DESC, h.source_id;
