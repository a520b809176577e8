import AsyncHTTPClient
import Catalogue
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL
import Logging
import Runtime

/// `nalabo serve`: the training portal. One process holds no state of its own that matters: accounts, web
/// sessions, events, catalogue sessions and the labs' records (reserves too) live in PostgreSQL, so processes
/// on one catalogue and one backend serve the same learners.
public struct PortalServer: Sendable {
    public let configuration: PortalConfiguration
    let pool: ConnectionPool
    let labs: LabSessions
    let terminals = TerminalRegistry()

    /// A portal on `backend`; the database is reached on first use.
    public init(configuration: PortalConfiguration, backend: any SessionBackend) {
        self.configuration = configuration
        pool = ConnectionPool(settings: configuration.database)
        labs = LabSessions(pool: pool, store: CatalogueLabRecords(pool: pool), backend: backend, secrets: configuration.secrets)
    }

    var reaper: Reaper {
        var logger = Logger(label: "nalabo.portal")
        logger.logLevel = .notice
        return Reaper(labs: labs, interval: configuration.reapInterval, reserveClaimWindow: configuration.reserveClaimWindow, logger: logger)
    }

    /// Every route: the API, the terminal WebSocket, the pages and the assets. Returned with the list of
    /// routes it serves (method and OpenAPI path).
    func makeRouter() -> PortalRouter {
        let router = PortalRouter()
        router.router.add(middleware: SecurityHeadersMiddleware())
        router.router.add(middleware: AuthenticationMiddleware(pool: pool, configuration: configuration))
        AccountRoutes(pool: pool, configuration: configuration).register(on: router)
        SessionRoutes(labs: labs, pool: pool).register(on: router)
        TerminalSocket(labs: labs, registry: terminals).register(on: router)
        InstructorRoutes(labs: labs, pool: pool).register(on: router)
        AdminRoutes(labs: labs, pool: pool).register(on: router)
        AssetRoutes().register(on: router)
        PageRoutes(labs: labs, pool: pool, proxyURL: configuration.effectiveProxyURL).register(on: router)
        return router
    }

    /// The port proxy's server on its own listener (nil without `--proxy-listen`): the portal's authentication,
    /// with its own origin accepted instead of the portal's, and no CSRF token asked of the applications' forms.
    func makeProxy(client: HTTPClient, logger: Logger) throws -> (any ApplicationProtocol)? {
        guard let host = configuration.proxyHost, let origin = configuration.proxyOrigin else { return nil }
        let router = Router(context: PortalContext.self)
        router.add(middleware: ProxyErrorsMiddleware())
        router.add(middleware: AuthenticationMiddleware(pool: pool, configuration: configuration, acceptedOrigin: origin, requiresCSRFToken: false))
        PortProxy(labs: labs, client: client, origin: origin).register(on: router)
        var server: HTTPServerBuilder = .http1()
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(server, tlsConfiguration: tls)
        }
        return Application(router: router, server: server,
                           configuration: .init(address: .hostname(host, port: configuration.proxyPort), serverName: "nalabo-proxy"),
                           logger: logger)
    }

    /// Serves until SIGINT or SIGTERM; `onListening` is told the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "nalabo.portal")
        logger.logLevel = .notice
        let router = makeRouter()
        let reaper = self.reaper
        var server: HTTPServerBuilder = .http1WebSocketUpgrade(webSocketRouter: router.router)
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(server, tlsConfiguration: tls)
        }
        let app = Application(
            router: router.router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "nalabo"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let proxyClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                     configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))
        do {
            try await serve(app, proxy: try makeProxy(client: proxyClient, logger: logger), reaper: reaper)
        } catch {
            try? await proxyClient.shutdown()
            throw error
        }
        try? await proxyClient.shutdown()
        if configuration.endLabsOnExit { await reaper.endAll() }
    }

    private func serve(_ app: some ApplicationProtocol, proxy: (any ApplicationProtocol)?, reaper: Reaper) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await reaper.run() }
            group.addTask { try await app.runService() }
            if let proxy { group.addTask { try await proxy.runService() } }
            // The server ends (a signal, a failure); the reaper goes with it.
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
