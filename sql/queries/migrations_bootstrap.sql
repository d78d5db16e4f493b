-- Bookkeeping table of the migration runner; created before any migration runs.
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.schema_migrations IS 'One row per applied sql/migrations file; the runner refuses edited files.';
COMMENT ON COLUMN ops.schema_migrations.version IS 'NNN prefix of the migration file.';
COMMENT ON COLUMN ops.schema_migrations.name IS 'File name of the migration.';
COMMENT ON COLUMN ops.schema_migrations.sha256 IS 'SHA-256 of the file as applied.';
COMMENT ON COLUMN ops.schema_migrations.applied_at IS 'When the migration was committed.';
