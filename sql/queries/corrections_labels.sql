-- The documents analysts corrected, with their claims as corrected, as training labels for claimwatch train.
SELECT d.doc_id, d.text, d.published_at, s.config ->> 'voice' AS voice,
       coalesce(json_agg(json_build_object(
           'kind', c.kind, 'actor', c.actor, 'weapon', c.weapon, 'target_country', c.target_country,
           'location', c.location_name, 'event_date', c.event_date, 'intercepted', c.intercepted)
           ORDER BY c.operation_index) FILTER (WHERE c.claim_id IS NOT NULL AND NOT c.retracted), '[]') AS operations
FROM core.documents d
LEFT JOIN ops.sources s ON s.source_id = d.source_id
LEFT JOIN core.claims c ON c.doc_id = d.doc_id
WHERE d.doc_id IN (SELECT doc_id FROM core.corrections)
GROUP BY d.doc_id, d.text, d.published_at, s.config ->> 'voice'
ORDER BY d.doc_id;
