-- A login for an analyst: member of claimwatch_analyst (read core and marts only), every session read-only and
-- bounded in time. {name} is composed as an identifier by psycopg2.sql; the values are parameters.
CREATE ROLE {name} LOGIN PASSWORD %(password)s IN ROLE claimwatch_analyst;
ALTER ROLE {name} SET default_transaction_read_only = on;
ALTER ROLE {name} SET statement_timeout = %(statement_timeout)s;
ALTER ROLE {name} SET search_path = marts, core;
