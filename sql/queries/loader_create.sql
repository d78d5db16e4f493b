-- A login for the pipeline: member of claimwatch_loader (writes raw, core and ops; refreshes the marts), never the
-- superuser. {name} is composed as an identifier by psycopg2.sql; the password is a parameter.
CREATE ROLE {name} LOGIN PASSWORD %(password)s IN ROLE claimwatch_loader;
