COPY stage_locations (location_id, name_en, name_ar, aliases, lat, lon, country, geo_precision, disputed, feature)
FROM STDIN WITH (FORMAT csv)
