import Catalogue

/// Someone the portal has authenticated: the PostgreSQL role every statement of theirs runs as, and how they
/// proved it.
struct Caller: Sendable {
    enum Credential: Sendable {
        /// The browser's session cookie; state-changing requests must carry its CSRF token.
        case webSession(SecretToken)
        /// A personal access token (`Authorization: Bearer`), limited to its scopes.
        case accessToken(Set<TokenScope>)
    }

    var role: String
    var credential: Credential

    /// The CSRF token of a web session (derived from the session's secret; pages carry it in a meta tag).
    var csrfToken: String? {
        if case .webSession(let token) = credential { return token.derived("csrf") }
        return nil
    }

    /// Whether a token's scopes allow a request; web sessions may do whatever their role may.
    func allows(_ scope: TokenScope) -> Bool {
        switch credential {
        case .webSession: true
        case .accessToken(let scopes): scopes.contains(scope) || (scope == .read && !scopes.isEmpty) || scopes.contains(.admin)
        }
    }
}
