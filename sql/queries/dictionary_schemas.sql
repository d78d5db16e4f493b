-- The comments of the documented schemas.
SELECT nspname AS schema, obj_description(oid, 'pg_namespace') AS comment
FROM pg_namespace WHERE nspname = ANY(%(schemas)s);
