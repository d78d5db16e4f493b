-- Whether a role of this name exists (roles are cluster-wide).
SELECT 1 FROM pg_roles WHERE rolname = %(name)s;
