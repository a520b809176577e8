import Foundation

/// One personal access token as its owner sees it (never the token itself).
public struct AccessTokenRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var scopes: [String]
    public var createdAt: String
    public var expiresAt: String
    public var lastUsedAt: String?
    public var revoked: Bool
}

/// What a personal access token may do: `read` (GET only), `sessions` (start, grade, end sessions) and
/// `admin` (the admin API, for admins).
public enum TokenScope: String, Sendable, CaseIterable {
    case read, sessions, admin
}

extension Catalogue {
    /// Sets a portal password: your own, or as an admin another user's. Ends every web session of the account.
    public func setPassword(_ handle: String, password: String) throws {
        let hash: String
        do {
            hash = try PasswordHash.make(password)
        } catch let refused as PasswordHash.Refused {
            throw CatalogueError.invalid(refused.description, hint: nil)
        }
        try run("SELECT nalabo.set_password($1, $2)", [handle, hash])
    }

    /// Adds a portal-only account (admins; super_admins for other roles): the database makes its PostgreSQL
    /// role (NOLOGIN), the user and the password's Argon2id hash.
    public func addPortalUser(handle: String, password: String, role: UserRole = .user, plan: String = "free") throws {
        let hash: String
        do {
            hash = try PasswordHash.make(password)
        } catch let refused as PasswordHash.Refused {
            throw CatalogueError.invalid(refused.description, hint: nil)
        }
        try run("SELECT nalabo.add_portal_user($1, $2, $3, $4)", [handle, hash, role.rawValue, plan])
    }

    /// Creates a token for the caller; the returned secret is shown once and stored only as its hash.
    public func createToken(name: String, scopes: [TokenScope], days: Int) throws -> (id: String, token: SecretToken) {
        let token = SecretToken.generate(prefix: "nlb")
        let scopeArray = "{" + scopes.map(\.rawValue).joined(separator: ",") + "}"
        guard let id = try run("SELECT nalabo.create_token($1, $2::bytea, $3::text[], $4)",
                               [name, token.hash, scopeArray, String(days)]).scalar else {
            throw CatalogueError.database("the token was not created")
        }
        return (id, token)
    }

    /// The caller's tokens (every user's, for admins), newest first.
    public func tokens() throws -> [AccessTokenRecord] {
        try run("""
            SELECT id, name, array_to_string(scopes, ',') AS scopes, created_at, expires_at, last_used_at, revoked_at IS NOT NULL AS revoked
            FROM nalabo.api_tokens WHERE user_id = nalabo.my_id() ORDER BY created_at DESC
            """).records.compactMap { row in
            guard let id = row["id"], let name = row["name"] else { return nil }
            return AccessTokenRecord(id: id, name: name, scopes: (row["scopes"] ?? "").split(separator: ",").map(String.init),
                                     createdAt: row["created_at"] ?? "", expiresAt: row["expires_at"] ?? "",
                                     lastUsedAt: row["last_used_at"], revoked: row.bool("revoked"))
        }
    }

    public func revokeToken(_ id: String) throws {
        guard UUID(uuidString: id) != nil else { throw CatalogueError.notFound("'\(id)' is not a token id (`nalabo tokens list` shows them)") }
        try run("SELECT nalabo.revoke_token($1::uuid)", [id])
    }
}
