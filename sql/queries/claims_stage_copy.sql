COPY stage_claims (doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, sub_event_type, target_country,
                   location_name, location_id, lat, lon, geo_precision, event_date, date_precision, intercepted,
                   confidence, evidence, extractor_version)
FROM STDIN WITH (FORMAT csv)
