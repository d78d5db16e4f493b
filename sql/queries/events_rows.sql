-- Rows for the event linker: rows without an event (the work list, oldest operations first), or the rows
-- already placed in a date window or in given documents (the candidates they are compared with).
SELECT c.claim_id, c.doc_id, c.operation_index, c.kind, c.actor, c.weapon, c.target_country, c.location_id, c.lat, c.lon,
       c.geo_precision, c.confidence,
       c.event_date, c.intercepted, c.evidence, c.event_id, d.source_id, d.published_at, d.near_dup_of,
       left(d.text, 300) AS head
FROM core.claims c
JOIN core.documents d ON d.doc_id = c.doc_id
WHERE NOT c.retracted
  AND CASE %(which)s
        WHEN 'unplaced' THEN c.event_id IS NULL
        WHEN 'window' THEN c.event_id IS NOT NULL AND c.event_date BETWEEN %(lo)s AND %(hi)s
        ELSE c.event_id IS NOT NULL AND c.doc_id = ANY(%(doc_ids)s)
      END
ORDER BY c.event_date NULLS LAST, d.published_at NULLS LAST, c.claim_id
LIMIT %(limit)s;
