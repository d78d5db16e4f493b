CREATE TEMP TABLE IF NOT EXISTS stage_claims (
    doc_id bigint, raw_document_id bigint, operation_index smallint, kind text, actor text, actor_id text, weapon text,
    sub_event_type text, target_country text, location_name text, location_id text, lat double precision,
    lon double precision, geo_precision smallint, event_date date, date_precision smallint, intercepted boolean,
    confidence real, evidence text, extractor_version text
) ON COMMIT DELETE ROWS;
