import Catalogue
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

/// `POST /api/login`, `POST /api/logout`, `GET /api/me`.
struct AccountRoutes {
    let pool: ConnectionPool
    let configuration: PortalConfiguration

    struct Login: Decodable {
        var handle: String?
        var password: String?
        /// An anonymous event's name and the learner's display name (and its access code, if it has one).
        var event: String?
        var code: String?
        var name: String?
    }

    func register(on router: PortalRouter) {
        router.on(.post, "/api/login") { request, context in try await login(request, context) }
        router.on(.post, "/api/logout") { request, context in
            if case .webSession(let token)? = context.caller?.credential {
                try await pool.withCatalogue(as: Catalogue.authenticatorRole) { try $0.closeWebSession(token) }
            }
            var response = JSONText.response(JSONText.object(["logged_out": true]))
            response.headers.append(HTTPField(name: .setCookie, value: cookie(value: "", maxAge: 0)))
            return response
        }
        router.on(.get, "/api/me") { _, context in
            let caller = try context.requireCaller()
            let user = try await pool.withCatalogue(as: caller.role) { try $0.whoami() }
            return JSONText.response(JSONText.object(["handle": user.handle, "role": user.role.rawValue, "plan": user.plan,
                                                      "csrf_token": caller.csrfToken.map { $0 as Any } ?? NSNull()]))
        }
    }

    private func login(_ request: Request, _ context: PortalContext) async throws -> Response {
        // A login form posted from another site cannot send application/json without a preflight, and the
        // Origin check (in AuthenticationMiddleware) refuses it: no login CSRF.
        let body = try await decodeBody(Login.self, from: request, limit: 8 * 1024)
        let userID: String
        if let event = body.event, body.handle == nil {
            userID = try await guestLogin(event: event, code: body.code, name: body.name ?? "")
        } else {
            guard let handle = body.handle, let password = body.password else {
                throw PortalError.badRequest("log in with {\"handle\": ..., \"password\": ...}, or {\"event\": ..., \"name\": ...} for an anonymous event")
            }
            userID = try await accountLogin(handle: handle, password: password, address: context.clientAddress)
        }
        let token = SecretToken.generate(prefix: "nls")
        let (idle, absolute) = (configuration.idleSeconds, configuration.absoluteSeconds)
        try await pool.withCatalogue(as: Catalogue.authenticatorRole) {
            try $0.openWebSession(userID: userID, token: token, idleSeconds: idle, absoluteSeconds: absolute)
        }
        var response = JSONText.response(JSONText.object(["logged_in": true, "csrf_token": token.derived("csrf")]))
        response.headers.append(HTTPField(name: .setCookie, value: cookie(value: token.text, maxAge: absolute)))
        return response
    }

    private func accountLogin(handle: String, password: String, address: String) async throws -> String {
        let keys = ["account:" + handle.lowercased(), "address:" + address]
        let limit = configuration.loginFailureLimit
        let (throttled, credentials) = try await pool.withCatalogue(as: Catalogue.authenticatorRole) { catalogue in
            try catalogue.recentLoginFailures(keys) >= limit ? (true, nil) : (false, try catalogue.loginCredentials(handle: handle))
        }
        if throttled {
            throw PortalError(status: .tooManyRequests, message: "too many failed logins for this account or address; wait 15 minutes",
                              headers: [.retryAfter: "900"])
        }
        // Verify even for an unknown account, so the answer takes as long either way.
        let hash = credentials?.passwordHash ?? Self.decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { PasswordHash.verify(password, against: hash) }
        guard let credentials, matches else {
            try await pool.withCatalogue(as: Catalogue.authenticatorRole) { try $0.noteLoginFailure(keys) }
            throw PortalError(status: .unauthorized, message: "wrong handle or password")
        }
        return credentials.userID
    }

    private func guestLogin(event: String, code: String?, name: String) async throws -> String {
        let codeHash = try await pool.withCatalogue(as: Catalogue.authenticatorRole) { try $0.eventAccessCode(event) }
        if let codeHash {
            let given = code ?? ""
            guard try await NIOThreadPool.singleton.runIfActive({ PasswordHash.verify(given, against: codeHash) }) else {
                throw PortalError.forbidden("wrong access code for \(event)")
            }
        }
        return try await pool.withCatalogue(as: Catalogue.authenticatorRole) {
            try $0.registerGuest(event: event, displayName: name).userID
        }
    }

    /// `nalabo_session=...; Path=/; HttpOnly; SameSite=Lax` (and `Secure` when the public URL is https).
    func cookie(value: String, maxAge: Int) -> String {
        "\(AuthenticationMiddleware.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
            + (configuration.secureCookies ? "; Secure" : "")
    }

    /// A valid hash of a random password, verified when the account does not exist.
    static let decoyHash: String = (try? PasswordHash.make(SecretToken.generate(prefix: "decoy").text)) ?? "$argon2id$"
}
