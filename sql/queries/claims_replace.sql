-- Replace the claims of the re-extracted documents in one statement each way (same transaction as the COPY):
-- a document re-extracted twice ends with exactly the rows of the last extraction.
DELETE FROM core.claims WHERE doc_id = ANY(%(doc_ids)s);
INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, sub_event_type,
                         target_country, location_name, location_id, lat, lon, geo_precision, event_date,
                         date_precision, intercepted, confidence, evidence, extractor_version)
SELECT doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, sub_event_type, target_country, location_name,
       location_id, lat, lon, geo_precision, event_date, date_precision, intercepted, confidence, evidence,
       extractor_version
FROM stage_claims;
UPDATE core.documents SET extractor_version = %(extractor_version)s WHERE doc_id = ANY(%(doc_ids)s);
