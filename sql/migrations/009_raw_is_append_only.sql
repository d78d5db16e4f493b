-- 009: raw is append-only for the pipeline. claimwatch_loader lands documents (INSERT ... ON CONFLICT DO NOTHING)
-- and reads them back, but may not change or remove what landed: a bug or a compromised task cannot rewrite the
-- record of what was published. Removing raw rows (retention, a right-to-erasure request) is the owner's job.

REVOKE UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA raw FROM claimwatch_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw REVOKE UPDATE, DELETE, TRUNCATE ON TABLES FROM claimwatch_loader;
