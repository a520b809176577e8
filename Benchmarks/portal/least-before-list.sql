-- The least an authenticated GET /api/workshops could send before the list under the portal's identity rules
-- (not what the portal sends: request-before-list.sql is): the token looked up by the database and the role
-- switched in one statement, in the list's transaction, on a connection whose session role is already the
-- authenticator (PGOPTIONS='-c role=nalabo_authenticator'). The run appends list.sql and the pipeline's end.
\startpipeline
SELECT pg_catalog.set_config('role', a.db_role, true), a.scopes FROM nalabo.token_role(:hash::bytea) a;
