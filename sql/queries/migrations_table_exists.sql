-- Whether the migration runner's bookkeeping table exists: when it does, the bootstrap DDL is skipped, so a role
-- without CREATE on the database (the loader) can check that the warehouse is up to date.
SELECT to_regclass('ops.schema_migrations') IS NOT NULL;
