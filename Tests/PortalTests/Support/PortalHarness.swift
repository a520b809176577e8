@_exported import CatalogueTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// A real portal for a test: a fresh catalogue on the test cluster, a login role for the portal (member of
/// nalabo_authenticator and nalabo_grader, as docs/portal.md sets it up), and `nalabo serve`'s server on a
/// free loopback port, talking to the real Docker engine when a test starts sessions.
final class PortalHarness: @unchecked Sendable {
    let cluster: TestCatalogue
    let portalRole: String
    let server: PortalServer
    private(set) var port = 0
    private var task: Task<Void, any Error>?
    private var twins: [Task<Void, any Error>] = []
    let configuration: PortalConfiguration

    var base: String { "http://127.0.0.1:\(port)" }
    var origin: String { "http://127.0.0.1:\(port)" }
    /// The port proxy's base URL (and origin).
    var proxyBase: String { "http://127.0.0.1:\(configuration.proxyPort)" }

    /// `backend`: the real Docker engine for tests that start sessions; nil for a backend that refuses
    /// everything (tests of authentication and pages only).
    init(backend: (any SessionBackend)? = nil) async throws {
        cluster = try TestCatalogue()
        portalRole = "portal_\(cluster.suffix)"
        let superuser = try cluster.superuserConnection()
        try superuser.execute("CREATE ROLE \(portalRole) LOGIN NOINHERIT")
        try superuser.execute("GRANT nalabo_authenticator, nalabo_grader TO \(portalRole)")
        // Port 0 cannot be the public origin, so pick a free port first — and another one if something else
        // took it before the portal bound it (the suite runs many servers and containers at once).
        var configuration = PortalConfiguration(
            database: ConnectionSettings(url: TestCatalogue.url(user: portalRole, database: cluster.database)))
        configuration.loginFailureLimit = 5
        configuration.reapInterval = .seconds(3600)  // tests sweep themselves
        var started: (PortalServer, Task<Void, any Error>, Int)?
        for _ in 1...3 where started == nil {
            configuration.port = try Self.freePort()
            configuration.proxyHost = "127.0.0.1"
            configuration.proxyPort = try Self.freePort()
            let server = PortalServer(configuration: configuration, backend: backend ?? RefusingBackend())
            let ended = Ended()
            let task = Task {
                defer { ended.set() }
                try await server.run()
            }
            let probe = PortalClient(base: "http://127.0.0.1:\(configuration.port)", origin: "")
            // A server that ended could not bind (another port is tried); one that still runs is waited for
            // longer: on a loaded machine the suite's parallel tests can keep every thread busy for a while.
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline, !ended.value {
                if (try? await probe.send(.GET, "/api/openapi.json", timeout: .seconds(2)).status) == 200 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let proxyProbe = PortalClient(base: "http://127.0.0.1:\(configuration.proxyPort)", origin: "")
            if (try? await probe.send(.GET, "/api/openapi.json", timeout: .seconds(2)).status) == 200,
               (try? await proxyProbe.send(.GET, "/sessions/none/ports/1/", timeout: .seconds(2)).status) == 401 {
                started = (server, task, configuration.port)
            } else {
                task.cancel()
            }
        }
        guard let (server, task, port) = started else { throw TestCatalogue.Failure("the portal did not start listening (3 ports tried)") }
        self.server = server
        self.task = task
        self.port = port
        self.configuration = configuration
    }

    deinit { task?.cancel() }

    /// A portal for `body`, stopped afterwards whatever happens, with every lab session it still has removed.
    static func with(backend: (any SessionBackend)? = nil, _ body: (PortalHarness) async throws -> Void) async throws {
        let portal = try await PortalHarness(backend: backend)
        do {
            try await body(portal)
        } catch {
            await portal.stop()
            throw error
        }
        await portal.stop()
    }

    /// A second `nalabo serve` process on the same catalogue and backend, behind the same public
    /// origin (as behind a load balancer); its base URL.
    func twin() async throws -> String {
        var configuration = self.configuration
        configuration.port = try Self.freePort()
        configuration.proxyHost = nil
        configuration.publicURL = URL(string: origin)
        let server = PortalServer(configuration: configuration, backend: self.server.labs.backend)
        twins.append(Task { try await server.run() })
        let base = "http://127.0.0.1:\(configuration.port)"
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await PortalClient(base: base, origin: origin).send(.GET, "/api/openapi.json").status) != 200 {
            guard ContinuousClock.now < deadline else { throw TestCatalogue.Failure("the second portal did not start") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return base
    }

    func stop() async {
        for twin in twins { twin.cancel() }
        task?.cancel()
        _ = try? await task?.value
        for record in await server.labs.store.all().sessions {
            _ = await SessionProvisioner(backend: server.labs.backend, store: server.labs.store).remove(sessionID: record.id)
        }
    }

    /// A user with a portal password (`secret-<handle>`).
    @discardableResult
    func learner(_ handle: String, role: UserRole = .user) throws -> String {
        let databaseRole = try cluster.user(handle, role: role)
        try cluster.asOwner().setPassword(handle, password: "secret-\(handle)")
        return databaseRole
    }

    func client() -> PortalClient { PortalClient(base: base, origin: origin) }

    /// Publishes a spec as `owner` (created on the pro plan).
    func publish(_ spec: String, as owner: String = "alice") throws {
        try cluster.user(owner, plan: "pro")
        let files = try TemporaryDirectory()
        try files.write("workshop/workshop.yaml", spec)
        let loaded = SpecLoader(plan: nil).load(path: files.path + "/workshop/workshop.yaml")
        _ = try cluster.as(owner).publish(try #require(loaded.workshop))
    }

    static func freePort() throws -> Int {
        let socket = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? socket.close().wait() }
        return socket.localAddress?.port ?? 0
    }
}

/// A browser-like client: keeps the session cookie, sends the CSRF token it was given and the portal's Origin.
final class PortalClient: @unchecked Sendable {
    let base: String
    var origin: String?
    var cookie: String?
    var csrf: String?
    var bearer: String?

    init(base: String, origin: String) {
        self.base = base
        self.origin = origin
    }

    /// Redirects are answers to look at, not to follow.
    static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
        var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? body }
    }

    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, csrf sendCSRF: Bool = true,
              headers extra: [(String, String)] = [], timeout: TimeAmount = .seconds(120)) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let origin, !origin.isEmpty { request.headers.add(name: "Origin", value: origin) }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if sendCSRF, let csrf { request.headers.add(name: "X-CSRF-Token", value: csrf) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await Self.http.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    /// Logs in and keeps the cookie and CSRF token.
    @discardableResult
    func login(_ handle: String, password: String? = nil) async throws -> Reply {
        let reply = try await send(.POST, "/api/login", json: ["handle": handle, "password": password ?? "secret-\(handle)"])
        take(reply)
        return reply
    }

    func take(_ reply: Reply) {
        if let setCookie = reply.headers["Set-Cookie"].first, let pair = setCookie.split(separator: ";").first {
            cookie = String(pair)
        }
        if let token = reply.json["csrf_token"] as? String { csrf = token }
    }
}

/// A backend for tests that start no session: every call fails as an unreachable backend would.
struct RefusingBackend: SessionBackend {
    var locator: BackendLocator { BackendLocator(kind: .docker, address: "unix:///nonexistent") }
    private var refusal: BackendError { BackendError(.unreachable, "no backend in this test") }
    func info() async throws -> BackendInfo { throw refusal }
    func provision(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle { throw refusal }
    func exec(_ request: MemberExec, in session: SessionHandle) async throws -> ExecOutput { throw refusal }
    func attachTerminal(member: String, command: [String], in session: SessionHandle, size: TerminalSize?) async throws -> any TerminalChannel {
        throw refusal
    }
    func health(_ session: SessionHandle) async throws -> [String: MemberHealth] { throw refusal }
    func copyFiles(_ files: [FileCopy], into member: String, in session: SessionHandle) async throws { throw refusal }
    func teardown(_ sessionID: String, events: @escaping @Sendable (SessionEvent) -> Void) async -> [String] { [] }
    func sessions() async throws -> [BackendSession] { throw refusal }
    func withPublishedPorts<T: Sendable>(_ session: SessionHandle, _ body: @Sendable ([String: [PublishedPort]]) async throws -> T) async throws -> T {
        throw refusal
    }
}

/// Whether a task has ended, readable while it runs.
private final class Ended: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    var value: Bool { lock.withLock { ended } }
    func set() { lock.withLock { ended = true } }
}
