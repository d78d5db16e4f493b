-- Set the password of an existing pipeline login (a re-run of the deployment's init keeps it in step with the
-- secret it was given). {name} is composed as an identifier by psycopg2.sql.
ALTER ROLE {name} LOGIN PASSWORD %(password)s;
GRANT claimwatch_loader TO {name};
