INSERT INTO ops.schema_migrations (version, name, sha256) VALUES (%(version)s, %(name)s, %(sha256)s);
