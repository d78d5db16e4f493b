INSERT INTO core.locations AS l (location_id, name_en, name_ar, aliases, lat, lon, country, geo_precision, disputed,
                                 feature)
SELECT DISTINCT ON (location_id) location_id, name_en, name_ar, aliases, lat, lon, country, geo_precision, disputed,
       feature
FROM stage_locations
ORDER BY location_id
ON CONFLICT (location_id) DO UPDATE
SET name_en = EXCLUDED.name_en, name_ar = EXCLUDED.name_ar, aliases = EXCLUDED.aliases, lat = EXCLUDED.lat,
    lon = EXCLUDED.lon, country = EXCLUDED.country, geo_precision = EXCLUDED.geo_precision,
    disputed = EXCLUDED.disputed, feature = EXCLUDED.feature
WHERE (l.name_en, l.name_ar, l.aliases, l.lat, l.lon, l.country, l.geo_precision, l.disputed, l.feature)
      IS DISTINCT FROM (EXCLUDED.name_en, EXCLUDED.name_ar, EXCLUDED.aliases, EXCLUDED.lat, EXCLUDED.lon,
                        EXCLUDED.country, EXCLUDED.geo_precision, EXCLUDED.disputed, EXCLUDED.feature);
