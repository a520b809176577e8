import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the portal: who is calling (set by ``AuthenticationMiddleware``), the peer's
/// address, and the WebSocket upgrade of the terminal route.
public struct PortalContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    /// The authenticated caller; nil for anonymous requests.
    var caller: Caller?
    /// The client's address as the portal believes it (X-Forwarded-For only from a trusted proxy).
    var clientAddress = "unknown"

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller, or 401.
    func requireCaller() throws -> Caller {
        guard let caller else { throw PortalError.unauthenticated }
        return caller
    }
}
