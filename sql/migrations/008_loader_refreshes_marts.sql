-- 008: the pipeline runs as a member of claimwatch_loader, not as the superuser (docker/compose.yaml), and
-- REFRESH MATERIALIZED VIEW is allowed to the owner only: claimwatch_loader owns the marts' materialized views.
-- Analysts keep their SELECT grants (privileges survive a change of owner). A later migration that adds a
-- materialized view gives it to claimwatch_loader the same way.

DO $$
DECLARE
    mv record;
BEGIN
    FOR mv IN SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname = 'marts' LOOP
        EXECUTE format('ALTER MATERIALIZED VIEW %I.%I OWNER TO claimwatch_loader', mv.schemaname, mv.matviewname);
    END LOOP;
END
$$;
