-- 004: roles. claimwatch_loader writes raw/core/ops; claimwatch_analyst reads core and marts only.
-- Roles are cluster-wide, so they are created only when missing (several warehouses may share a cluster).
-- They are NOLOGIN groups: grant them to login users (GRANT claimwatch_analyst TO alice).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'claimwatch_loader') THEN
        CREATE ROLE claimwatch_loader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'claimwatch_analyst') THEN
        CREATE ROLE claimwatch_analyst NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA raw, core, ops, marts TO claimwatch_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA raw, core, ops TO claimwatch_loader;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA raw, core, ops TO claimwatch_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA marts TO claimwatch_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, core, ops GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO claimwatch_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, core, ops GRANT USAGE, SELECT ON SEQUENCES TO claimwatch_loader;

GRANT USAGE ON SCHEMA core, marts TO claimwatch_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA core, marts TO claimwatch_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA core, marts GRANT SELECT ON TABLES TO claimwatch_analyst;
REVOKE ALL ON SCHEMA raw, ops FROM claimwatch_analyst;
