import Foundation
import Hummingbird

/// The portal's router, which also records every route it is given (method and OpenAPI-style path), so a
/// test can hold the served routes against the OpenAPI document.
final class PortalRouter: @unchecked Sendable {
    let router: Router<PortalContext>
    private(set) var routes: [String] = []

    init() {
        router = Router(context: PortalContext.self)
    }

    /// Adds a route; `path` uses Hummingbird's `:name` parameters.
    func on(_ method: HTTPRequest.Method, _ path: String,
            _ handler: @Sendable @escaping (Request, PortalContext) async throws -> Response) {
        routes.append("\(method.rawValue) " + Self.openAPIPath(path))
        // Errors become their JSON answer in SecurityHeadersMiddleware, the one place that translates them.
        router.on(RouterPath(path), method: method, use: handler)
    }

    /// Records a route added to ``router`` directly (the WebSocket upgrade).
    func recordRoute(_ route: String) { routes.append(route) }

    /// `/api/sessions/:id` → `/api/sessions/{id}`.
    static func openAPIPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
    }
}

/// A request's JSON body, decoded, or 400 saying what is wrong with it.
func decodeBody<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 64 * 1024) async throws -> T {
    var request = request
    let buffer: ByteBuffer
    do {
        buffer = try await request.collectBody(upTo: limit)
    } catch {
        throw PortalError(status: .contentTooLarge, message: "the request body is larger than \(limit) bytes")
    }
    guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false else {
        throw PortalError(status: .unsupportedMediaType, message: "send the body as application/json")
    }
    do {
        return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
    } catch DecodingError.keyNotFound(let key, _) {
        throw PortalError.badRequest("the body has no '\(key.stringValue)'")
    } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
        throw PortalError.badRequest("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
    } catch {
        throw PortalError.badRequest("the body is not valid JSON")
    }
}

extension PortalContext {
    /// A path parameter (always present for a matched route).
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.get(name) else { throw PortalError.notFound("no \(name) in the path") }
        return value
    }
}
