import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP to a Docker-compatible engine over its unix socket or TCP, through AsyncHTTPClient. Every path is
/// prefixed with the negotiated API version (Docker 29 refuses unversioned clients older than 1.44).
struct DockerTransport: Sendable {
    let endpoint: EngineEndpoint
    private let client: HTTPClient
    private let base: String

    init(endpoint: EngineEndpoint) throws {
        self.endpoint = endpoint
        switch endpoint.transport {
        case .unixSocket(let path):
            let host = path.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? path
            base = "http+unix://" + host
            client = try Self.client(tls: nil)
        case .tcp(let host, let port, let tls):
            base = (tls == nil ? "http://" : "https://") + host + ":\(port)"
            client = try Self.client(tls: tls)
        }
    }

    /// A response whose body was read in full.
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        /// The engine's `{"message": ...}`, or the body as text.
        var message: String {
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let text = object["message"] as? String {
                return text
            }
            return String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Sends a request and reads the whole answer (up to `limit` bytes).
    func send(_ method: HTTPMethod, _ path: String, version: DockerAPIVersion?, query: [(String, String)] = [],
              json: Data? = nil, body: (contents: Data, type: String)? = nil, timeout: Duration = .seconds(60),
              limit: Int = 32 << 20) async throws -> Response {
        let response = try await open(method, path, version: version, query: query, json: json, body: body, timeout: timeout)
        do {
            let body = try await response.body.collect(upTo: limit)
            return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
        } catch {
            throw translate(error, request: "\(method) \(path)")
        }
    }

    /// Sends a request and returns as soon as the answer's head arrived; the caller streams the body.
    func open(_ method: HTTPMethod, _ path: String, version: DockerAPIVersion?, query: [(String, String)] = [],
              json: Data? = nil, body: (contents: Data, type: String)? = nil,
              timeout: Duration = .seconds(60)) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path, version: version, query: query))
        request.method = method
        request.headers.add(name: "User-Agent", value: "nalabo")
        if case .unixSocket = endpoint.transport, !request.headers.contains(name: "Host") {
            // Go's HTTP server insists on a Host header; over a socket any name does (the docker CLI sends "docker").
            request.headers.add(name: "Host", value: "docker")
        }
        if let body = json.map({ (contents: $0, type: "application/json") }) ?? body {
            request.headers.add(name: "Content-Type", value: body.type)
            request.body = .bytes(ByteBuffer(data: body.contents))
        }
        do {
            return try await client.execute(request, timeout: Self.timeAmount(timeout))
        } catch {
            throw translate(error, request: "\(method) \(path)")
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func url(_ path: String, version: DockerAPIVersion?, query: [(String, String)]) -> String {
        var url = base + (version.map { "/v\($0)" } ?? "") + path
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            // URLComponents leaves + and some JSON characters alone; the engine's Go parser wants them escaped.
            let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
            url += "?" + encoded
        }
        return url
    }

    /// Names the endpoint and the reason when nothing answers; passes other errors on.
    func translate(_ error: Error, request: String) -> Error {
        if error is EngineError || error is CancellationError { return error }
        // Ctrl-C (task cancellation) during a request is an interruption, not a broken engine.
        if Task.isCancelled || (error as? HTTPClientError) == .cancelled { return CancellationError() }
        if let reason = Self.connectionFailure(error) {
            return EngineError.unreachable(endpoint: endpoint.description + " (\(endpoint.origin))", reason: reason)
        }
        if let http = error as? HTTPClientError {
            if http == .deadlineExceeded || http == .readTimeout {
                return EngineError.unreachable(endpoint: endpoint.description, reason: "no answer to \(request) in time")
            }
            if http == .remoteConnectionClosed {
                return EngineError.unreachable(endpoint: endpoint.description, reason: "the engine closed the connection during \(request); was the daemon stopped?")
            }
        }
        return EngineError.protocolViolation("\(request): \(error)")
    }

    private static func connectionFailure(_ error: Error) -> String? {
        if let io = error as? IOError { return describe(errno: io.errnoCode) }
        if let connection = error as? NIOConnectionError {
            for failure in connection.connectionErrors {
                if let io = failure.error as? IOError { return describe(errno: io.errnoCode) }
            }
            return "cannot connect"
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "connection timed out" }
        if let http = error as? HTTPClientError, http == .connectTimeout { return "connection timed out" }
        return nil
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no socket there"
        case ECONNREFUSED: "connection refused: no daemon is listening"
        case EACCES, EPERM: "permission denied: run as root, or join the group that owns the socket (usually `docker`)"
        default: String(cString: strerror(code))
        }
    }

    // One client per TLS setting, kept for the process's lifetime (AsyncHTTPClient wants clients shut down
    // before they go away; these never go away).
    private static let clients = Mutex<[String: HTTPClient]>([:])

    private static func client(tls: EngineEndpoint.TLSFiles?) throws -> HTTPClient {
        let key = tls.map { "\($0.caFile)|\($0.certificateFile)|\($0.keyFile)" } ?? ""
        return try clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: nil),
                decompression: .disabled
            )
            // Every running exec holds a connection until its command ends; checks of independent challenges
            // run at once, so allow more than AsyncHTTPClient's default of 8 to the one engine.
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
            if let tls {
                var settings = TLSConfiguration.makeClientConfiguration()
                do {
                    settings.trustRoots = .file(tls.caFile)
                    settings.certificateChain = try NIOSSLCertificate.fromPEMFile(tls.certificateFile).map { .certificate($0) }
                    settings.privateKey = .privateKey(try NIOSSLPrivateKey(file: tls.keyFile, format: .pem))
                } catch {
                    throw EngineError.badEndpoint("DOCKER_CERT_PATH", reason: "cannot read the client certificate or key in \((tls.certificateFile as NSString).deletingLastPathComponent): \(error)")
                }
                configuration.tlsConfiguration = settings
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}
