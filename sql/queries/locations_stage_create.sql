CREATE TEMP TABLE IF NOT EXISTS stage_locations (
    location_id text, name_en text, name_ar text, aliases text[], lat double precision, lon double precision,
    country text, geo_precision smallint, disputed boolean, feature text
) ON COMMIT DELETE ROWS;
