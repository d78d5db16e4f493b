SELECT version, name, sha256 FROM ops.schema_migrations;
