import HTTPTypes
import Hummingbird

/// Headers on every response: a strict Content-Security-Policy (scripts and styles from the portal itself
/// only, never inline; no framing), no MIME sniffing, no referrer to other sites. A thrown error becomes
/// its JSON answer here, so it carries the headers too.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = PortalContext

    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            response = try (PortalError.from(error) as? HTTPResponseError ?? PortalError(status: .internalServerError, message: "\(error)"))
                .response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        return response
    }
}
