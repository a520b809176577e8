import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// The authenticated reverse proxy to a lab's published ports, on a listener of its own: `/sessions/ID/ports/
/// PORT/PATH` reaches PATH on the container's PORT, for the session's learner only (the database decides, as
/// for every other route: anyone else gets 404). The container's ports stay on 127.0.0.1 of the engine host.
///
/// What passes: the method, the path below the prefix, the query, the body (up to 16 MiB) and the headers but
/// the hop-by-hop ones, the portal's cookie and its bearer token; `X-Forwarded-Prefix`, `-Host` and `-Proto`
/// tell the application where it is. Back: the status, the headers but hop-by-hop ones and any attempt to
/// set the portal's cookie, redirects to an absolute path moved under the prefix, and the body as it streams.
struct PortProxy: Sendable {
    let labs: LabSessions
    let client: HTTPClient
    let origin: String

    static let bodyLimit = 16 << 20
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                                        "transfer-encoding", "upgrade", "host"]

    func register(on router: Router<PortalContext>) {
        // (Hummingbird matches `/sessions/ID/ports/PORT/` and `/sessions/ID/ports/PORT` alike: `forward` tells them apart.)
        for method: HTTPRequest.Method in [.get, .head, .post, .put, .patch, .delete, .options] {
            for path in ["/sessions/:id/ports/:port", "/sessions/:id/ports/:port/**"] {
                router.on(RouterPath(path), method: method) { request, context in
                    try await forward(request, context: context)
                }
            }
        }
    }

    static func prefix(_ context: PortalContext) throws -> String {
        guard let port = Int(try context.parameter("port")), (1...65535).contains(port) else {
            throw PortalError.notFound("no such port")
        }
        return "/sessions/\(try context.parameter("id"))/ports/\(port)"
    }

    private func forward(_ request: Request, context: PortalContext) async throws -> Response {
        let caller = try context.requireCaller()
        guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
        let id = try context.parameter("id")
        let prefix = try Self.prefix(context)
        guard let port = Int(try context.parameter("port")) else { throw PortalError.notFound("no such port") }
        let owned = try await labs.owned(id, as: caller.role)
        guard let published = owned.record.containers.lazy.flatMap(\.ports).first(where: { $0.port == port }) else {
            throw PortalError.notFound("session \(id) publishes no port \(port)")
        }
        await labs.touch(owned.catalogueID, as: caller.role)

        let path = String(request.uri.path.dropFirst(prefix.count))
        // The application's relative links resolve under the prefix only with its trailing slash.
        guard !path.isEmpty else { return Response(status: .permanentRedirect, headers: [.location: prefix + "/"]) }
        let target = "http://\(Self.reachable(published.hostIP)):\(published.hostPort)" + (path.isEmpty ? "/" : path)
            + (request.uri.query.map { "?" + $0 } ?? "")
        var upstream = HTTPClientRequest(url: target)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            switch field.name {
            case .cookie:
                let kept = Self.cookiesWithoutThePortals(field.value)
                if !kept.isEmpty { upstream.headers.add(name: "Cookie", value: kept) }
            case .authorization where field.value.lowercased().hasPrefix("bearer nlb_"):
                continue
            default:
                upstream.headers.add(name: field.name.rawName, value: field.value)
            }
        }
        upstream.headers.replaceOrAdd(name: "Host", value: "127.0.0.1:\(published.hostPort)")
        upstream.headers.replaceOrAdd(name: "X-Forwarded-Prefix", value: prefix)
        if let url = URL(string: origin), let host = url.host {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Host", value: url.port.map { "\(host):\($0)" } ?? host)
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: url.scheme ?? "http")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.bodyLimit)
        } catch {
            throw PortalError(status: .contentTooLarge, message: "the request body is larger than \(Self.bodyLimit) bytes")
        }
        if body.readableBytes > 0 { upstream.body = .bytes(body) }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, timeout: .seconds(300))
        } catch {
            throw PortalError(status: .badGateway, message: "nothing answers on port \(port) of session \(id) (\(error)); is the server in the lab running?")
        }
        var headers = HTTPFields()
        for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) {
            guard let field = HTTPField.Name(name) else { continue }
            if field == .setCookie && Self.setsThePortalsCookie(value) { continue }
            if field == .location, value.hasPrefix("/"), !value.hasPrefix("//") {
                headers.append(HTTPField(name: field, value: prefix + value))
                continue
            }
            headers.append(HTTPField(name: field, value: value))
        }
        return Response(status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
                        headers: headers, body: ResponseBody(asyncSequence: response.body))
    }

    /// The address to dial for a port the engine published on `hostIP` (all addresses means loopback too).
    static func reachable(_ hostIP: String) -> String {
        switch hostIP {
        case "", "0.0.0.0": "127.0.0.1"
        case "::": "[::1]"
        default: hostIP.contains(":") ? "[\(hostIP)]" : hostIP
        }
    }

    /// A Cookie header without the portal's own cookie: the application never sees the learner's session.
    static func cookiesWithoutThePortals(_ header: String) -> String {
        header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix(AuthenticationMiddleware.cookieName + "=") }
            .joined(separator: "; ")
    }

    /// Whether a Set-Cookie would set (or clear) the portal's cookie.
    static func setsThePortalsCookie(_ value: String) -> Bool {
        let name = value.prefix { $0 != "=" }.trimmingCharacters(in: .whitespaces)
        return name.caseInsensitiveCompare(AuthenticationMiddleware.cookieName) == .orderedSame
    }
}

/// Headers on the proxy's own answers (errors, redirects): they are the portal's, so they get its strict policy;
/// a proxied application's responses keep the application's headers.
struct ProxyErrorsMiddleware: RouterMiddleware {
    typealias Context = PortalContext

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.xContentTypeOptions] = response.headers[.xContentTypeOptions] ?? "nosniff"
            return response
        } catch {
            var response = try (PortalError.from(error) as? HTTPResponseError ?? PortalError(status: .internalServerError, message: "\(error)"))
                .response(from: request, context: context)
            response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.contentSecurityPolicy
            response.headers[.xContentTypeOptions] = "nosniff"
            return response
        }
    }
}
