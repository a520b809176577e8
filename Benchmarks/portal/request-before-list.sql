-- What one authenticated GET /api/workshops sends before the list, statement for statement as the portal does
-- (Sources/Portal/Security/AuthenticationMiddleware.swift, Sources/Catalogue/Catalogue.swift): the token looked
-- up as the authenticator in one pipelined transaction, then the role switch that opens the list's. The run
-- appends list.sql and the pipeline's end, and runs it through pgbench as the portal's login role with
-- -D hash=\x<sha-256 of the token> -D role=<its user's role>.
\startpipeline
SELECT pg_catalog.set_config('role', 'nalabo_authenticator', true);
SELECT db_role, array_to_string(scopes, ',') AS scopes FROM nalabo.token_role(:hash::bytea);
\endpipeline
\startpipeline
SELECT pg_catalog.set_config('role', :role, true);
