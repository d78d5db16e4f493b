-- Replace the claims of the re-extracted documents (same transaction as the COPY): a document re-extracted twice
-- ends with exactly the rows of the last extraction. An operation that comes back unchanged in kind, date and
-- target country keeps its event (event ids stay stable across reprocess); every event that lost or may have
-- lost a member is marked for a summary refresh.
WITH old AS (
    DELETE FROM core.claims WHERE doc_id = ANY(%(doc_ids)s)
    RETURNING doc_id, operation_index, kind, event_date, target_country, event_id
), dirty AS (
    UPDATE core.events SET needs_refresh = true
    WHERE event_id IN (SELECT event_id FROM old WHERE event_id IS NOT NULL)
)
INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, sub_event_type,
                         target_country, location_name, location_id, lat, lon, geo_precision, event_date,
                         date_precision, intercepted, confidence, evidence, extractor_version, event_id)
SELECT s.doc_id, s.raw_document_id, s.operation_index, s.kind, s.actor, s.actor_id, s.weapon, s.sub_event_type,
       s.target_country, s.location_name, s.location_id, s.lat, s.lon, s.geo_precision, s.event_date,
       s.date_precision, s.intercepted, s.confidence, s.evidence, s.extractor_version, o.event_id
FROM stage_claims s
LEFT JOIN old o ON o.doc_id = s.doc_id AND o.operation_index = s.operation_index AND o.kind = s.kind
     AND o.event_date IS NOT DISTINCT FROM s.event_date AND o.target_country IS NOT DISTINCT FROM s.target_country;
UPDATE core.documents SET extractor_version = %(extractor_version)s WHERE doc_id = ANY(%(doc_ids)s);
