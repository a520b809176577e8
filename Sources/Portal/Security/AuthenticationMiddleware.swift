import Foundation
import Catalogue
import HTTPTypes
import Hummingbird
import NIOCore

/// Finds out who is calling — the session cookie or a bearer token, looked up by the database as the
/// authenticator — and refuses state-changing requests that could be forged: cookie-authenticated
/// requests need the session's CSRF token (`X-CSRF-Token`), and a browser's state-changing request or
/// WebSocket carrying an `Origin` must come from the portal's own origin (bearer tokens are exempt from both:
/// no other site can make a browser send one).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = PortalContext
    static let cookieName = "nalabo_session"

    let pool: ConnectionPool
    let configuration: PortalConfiguration
    /// The origin whose browser requests are accepted: the portal's, or the port proxy's on its listener.
    var acceptedOrigin: String
    /// Whether cookie-authenticated state-changing requests need the CSRF token: the portal's own routes do;
    /// a proxied application's forms cannot know it (the proxy checks their Origin instead).
    var requiresCSRFToken = true

    init(pool: ConnectionPool, configuration: PortalConfiguration, acceptedOrigin: String? = nil, requiresCSRFToken: Bool = true) {
        self.pool = pool
        self.configuration = configuration
        self.acceptedOrigin = acceptedOrigin ?? configuration.origin
        self.requiresCSRFToken = requiresCSRFToken
    }

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = clientAddress(request, context)
        let changesState = ![.get, .head, .options].contains(request.method)
        let isWebSocket = request.headers[.upgrade]?.lowercased() == "websocket"
        // A bearer token is no ambient credential: another site cannot make a browser send it, so neither
        // the Origin nor a CSRF token is asked of it. Everything else is what a browser sends.
        if request.headers[.authorization] == nil, changesState || isWebSocket, let origin = request.headers[.origin],
           origin != acceptedOrigin {
            throw PortalError.forbidden("requests from \(origin) are not accepted here; this is \(acceptedOrigin)")
        }
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer ") else {
                throw PortalError(status: .unauthorized, message: "only Authorization: Bearer TOKEN is accepted")
            }
            let token = SecretToken(text: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            guard let found = try await authenticate({ try $0.tokenRole(token) }) else {
                throw PortalError(status: .unauthorized, message: "the token is unknown, revoked or expired; `nalabo tokens create` makes a new one")
            }
            context.caller = Caller(role: found.role, credential: .accessToken(found.scopes))
        } else if let value = request.cookies[Self.cookieName]?.value, !value.isEmpty, value.count < 200 {
            let token = SecretToken(text: value)
            if let role = try await authenticate({ try $0.webSessionRole(token) }) {
                context.caller = Caller(role: role, credential: .webSession(token))
            }
        }
        if changesState, requiresCSRFToken, let caller = context.caller, let expected = caller.csrfToken {
            guard let sent = request.headers[.csrfToken], constantTimeEqual(sent, expected) else {
                throw PortalError.forbidden("the request has no valid CSRF token (X-CSRF-Token); reload the page")
            }
        }
        return try await next(request, context)
    }

    private func authenticate<T: Sendable>(_ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        try await pool.withCatalogue(as: Catalogue.authenticatorRole, body)
    }

    /// The peer's address; a trusted proxy's `X-Forwarded-For` names the client behind it.
    private func clientAddress(_ request: Request, _ context: PortalContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard configuration.trustedProxies.contains(peer), let forwarded = request.headers[.xForwardedFor] else { return peer }
        // The last address is the one the trusted proxy saw; earlier ones are the client's to claim.
        return forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? peer
    }
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}
