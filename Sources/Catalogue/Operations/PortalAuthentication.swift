/// What the portal's authenticator may ask before it knows who is calling: these run on a catalogue acting
/// as `nalabo_authenticator` (``Catalogue/authenticatorRole``), whose only privileges are these functions.
extension Catalogue {
    /// The role through which the portal authenticates callers.
    public static let authenticatorRole = "nalabo_authenticator"

    /// The user id and password hash of an enabled account the portal may act as.
    public func loginCredentials(handle: String) throws -> (userID: String, passwordHash: String)? {
        guard let row = try run("SELECT user_id, password_hash FROM nalabo.login_credentials($1)", [handle]).records.first,
              let id = row["user_id"], let hash = row["password_hash"] else { return nil }
        return (id, hash)
    }

    /// Failed logins in the last 15 minutes for the busiest of `keys`.
    public func recentLoginFailures(_ keys: [String]) throws -> Int {
        Int(try run("SELECT nalabo.login_failures_recent($1::text[])", [Self.textArray(keys)]).scalar ?? "0") ?? 0
    }

    public func noteLoginFailure(_ keys: [String]) throws {
        try run("SELECT nalabo.note_login_failure($1::text[])", [Self.textArray(keys)])
    }

    public func openWebSession(userID: String, token: SecretToken, idleSeconds: Int, absoluteSeconds: Int) throws {
        try run("SELECT nalabo.open_web_session($1::bigint, $2::bytea, $3, $4)",
                [userID, token.hash, String(idleSeconds), String(absoluteSeconds)])
    }

    /// The role of a live web session, or nil (unknown, revoked, idle too long, expired, user disabled).
    public func webSessionRole(_ token: SecretToken) throws -> String? {
        try run("SELECT nalabo.web_session_role($1::bytea)", [token.hash]).scalar
    }

    public func closeWebSession(_ token: SecretToken) throws {
        try run("SELECT nalabo.close_web_session($1::bytea)", [token.hash])
    }

    /// The role and scopes of a live personal access token, or nil.
    public func tokenRole(_ token: SecretToken) throws -> (role: String, scopes: Set<TokenScope>)? {
        guard let row = try run("SELECT db_role, array_to_string(scopes, ',') AS scopes FROM nalabo.token_role($1::bytea)", [token.hash]).records.first,
              let role = row["db_role"] else { return nil }
        return (role, Set((row["scopes"] ?? "").split(separator: ",").compactMap { TokenScope(rawValue: String($0)) }))
    }

    /// The Argon2id hash of an event's access code; nil when the event has none (or does not exist).
    public func eventAccessCode(_ event: String) throws -> String? {
        try run("SELECT nalabo.event_access_code($1)", [event]).scalar
    }

    /// Registers a guest of an anonymous event; returns its role and user id.
    public func registerGuest(event: String, displayName: String) throws -> (role: String, userID: String) {
        guard let role = try run("SELECT nalabo.register_guest($1, $2)", [event, displayName]).scalar,
              let id = try run("SELECT nalabo.user_of_role($1)", [role]).scalar else {
            throw CatalogueError.database("the guest account was not created")
        }
        return (role, id)
    }

    /// The portal's sessions to end now, with why (`expired`, `orphaned`).
    public func sessionsToReap() throws -> [(session: String, reason: String)] {
        try run("SELECT session_id, reason FROM nalabo.sessions_to_reap()").records.compactMap { row in
            guard let id = row["session_id"], let reason = row["reason"] else { return nil }
            return (id, reason)
        }
    }

    /// Ends a session for the reaper; how it ended, or nil when it already had.
    @discardableResult
    public func reapSession(_ session: String) throws -> String? {
        try run("SELECT nalabo.reap_session($1::uuid)", [session]).scalar
    }

    /// A PostgreSQL text[] literal for a parameter (`{"a","b"}`), every element quoted.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
