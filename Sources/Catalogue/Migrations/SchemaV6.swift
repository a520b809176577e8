/// The portal's authentication checks run from cached plans.
///
/// `portal_may_become` is asked on every authenticated request (through `token_role` and `web_session_role`),
/// and at every login. As a `LANGUAGE sql` function that cannot be inlined (it is SECURITY DEFINER), PostgreSQL
/// plans its body again on each call; PL/pgSQL keeps the plan for the connection's life. Same check, same
/// answer: measured with pgbench as the portal's login role, the token lookup went from about 8,300 to about
/// 21,000 calls a second (docs/performance.md). `OR REPLACE` keeps the function's owner and grants.
enum SchemaV6 {
    static let sql = #"""
    CREATE OR REPLACE FUNCTION nalabo.portal_may_become(p_role name) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        RETURN coalesce((SELECT NOT (rolsuper OR rolcreaterole OR rolbypassrls) FROM pg_roles WHERE rolname = p_role), false)
            AND p_role <> (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'nalabo');
    END $$;
    """#
}
