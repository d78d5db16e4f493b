-- Re-apply analysts' corrections to the claims of the given documents (after every extraction, so they survive
-- reprocess). The latest correction of a field wins. A corrected field that decides clustering (date, place,
-- country, kind) takes the row out of its event so the clustering step places it again; a row marked wrong leaves
-- every event. Events that lose a member are marked for a summary refresh.
WITH latest AS (
    SELECT DISTINCT ON (doc_id, operation_index, field) doc_id, operation_index, field, value
    FROM core.corrections
    WHERE action = 'set' AND doc_id = ANY(%(doc_ids)s)
    ORDER BY doc_id, operation_index, field, correction_id DESC
), pivot AS (
    SELECT doc_id, operation_index,
           bool_or(field = 'kind') AS set_kind, max(value) FILTER (WHERE field = 'kind') AS kind,
           bool_or(field = 'actor') AS set_actor, max(value) FILTER (WHERE field = 'actor') AS actor,
           bool_or(field = 'weapon') AS set_weapon, max(value) FILTER (WHERE field = 'weapon') AS weapon,
           bool_or(field = 'target_country') AS set_country,
           max(value) FILTER (WHERE field = 'target_country') AS target_country,
           bool_or(field = 'location_name') AS set_location,
           max(value) FILTER (WHERE field = 'location_name') AS location_name,
           bool_or(field = 'event_date') AS set_date, max(value) FILTER (WHERE field = 'event_date') AS event_date,
           bool_or(field = 'intercepted') AS set_intercepted,
           max(value) FILTER (WHERE field = 'intercepted') AS intercepted
    FROM latest
    GROUP BY doc_id, operation_index
), moved AS (
    UPDATE core.events SET needs_refresh = true
    WHERE event_id IN (
        SELECT c.event_id FROM core.claims c JOIN pivot p USING (doc_id, operation_index)
        WHERE c.event_id IS NOT NULL
    )
)
UPDATE core.claims c SET
    kind = CASE WHEN p.set_kind THEN p.kind ELSE c.kind END,
    actor = CASE WHEN p.set_actor THEN p.actor ELSE c.actor END,
    actor_id = CASE WHEN p.set_actor THEN (SELECT a.actor_id FROM core.actors a WHERE a.actor_id = p.actor) ELSE c.actor_id END,
    weapon = CASE WHEN p.set_weapon THEN p.weapon ELSE c.weapon END,
    target_country = CASE WHEN p.set_country THEN p.target_country ELSE c.target_country END,
    location_name = CASE WHEN p.set_location THEN p.location_name ELSE c.location_name END,
    location_id = CASE WHEN p.set_location THEN NULL ELSE c.location_id END,
    lat = CASE WHEN p.set_location THEN NULL ELSE c.lat END,
    lon = CASE WHEN p.set_location THEN NULL ELSE c.lon END,
    event_date = CASE WHEN p.set_date THEN p.event_date::date ELSE c.event_date END,
    intercepted = CASE WHEN p.set_intercepted THEN p.intercepted::boolean ELSE c.intercepted END,
    event_id = CASE WHEN p.set_kind OR p.set_country OR p.set_location OR p.set_date THEN NULL ELSE c.event_id END,
    corrected = true
FROM pivot p
WHERE c.doc_id = p.doc_id AND c.operation_index = p.operation_index;

WITH wrong AS (
    SELECT DISTINCT doc_id, operation_index FROM core.corrections WHERE action = 'wrong' AND doc_id = ANY(%(doc_ids)s)
), moved AS (
    UPDATE core.events SET needs_refresh = true
    WHERE event_id IN (SELECT c.event_id FROM core.claims c JOIN wrong w USING (doc_id, operation_index))
)
UPDATE core.claims c SET retracted = true, event_id = NULL
FROM wrong w
WHERE c.doc_id = w.doc_id AND c.operation_index = w.operation_index;
