import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import HTTPTypes
import Synchronization
import WorkshopSpec
import WSClient

/// The Kubernetes API server's REST API over AsyncHTTPClient: JSON in, JSON out, failures read from the
/// server's `Status` and worded with the server and context, so whoever reads them knows which cluster said
/// what.
public struct KubernetesAPI: Sendable {
    /// The API server's address (`https://127.0.0.1:6443`).
    public let server: String
    /// The kubeconfig context it came from.
    public let context: String
    let credentials: KubernetesCredentials
    /// The exec stream protocols offered, in order of preference (a test pins an older one).
    var execProtocols = KubernetesExec.protocols

    init(server: String, context: String, credentials: KubernetesCredentials) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.context = context
        self.credentials = credentials
    }

    /// The API of a kubeconfig's context (`--context`, or the current one).
    public static func connect(_ config: Kubeconfig, context: String?) throws -> KubernetesAPI {
        let chosen = try config.resolve(context: context)
        guard chosen.cluster.tlsServerName == nil else {
            throw Kubeconfig.Failure("cluster \(chosen.context.cluster) sets tls-server-name, which nalabo does not support yet; use a server address its certificate names")
        }
        return KubernetesAPI(server: chosen.cluster.server, context: chosen.name,
                             credentials: KubernetesCredentials(user: chosen.user, userName: chosen.context.user, cluster: chosen.cluster))
    }

    /// An answer: status code and body.
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    /// Sends a request; a 401 runs an exec plugin again once (its token may have expired early).
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
              contentType: String = "application/json", timeout: Duration = .seconds(30)) async throws -> Response {
        var response = try await attempt(method, path, query: query, body: body, contentType: contentType, timeout: timeout, refresh: false)
        if response.status == 401, credentials.user.exec != nil {
            response = try await attempt(method, path, query: query, body: body, contentType: contentType, timeout: timeout, refresh: true)
        }
        return response
    }

    private func attempt(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONValue?, contentType: String,
                         timeout: Duration, refresh: Bool) async throws -> Response {
        let current = try await credentials.current(refresh: refresh)
        let client = try Self.client(credentials.tlsConfiguration(for: current), key: credentialKey(current))
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "nalabo")
        if let token = current.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body.compact))
        }
        let label = "\(method.rawValue) \(path)"
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return Response(status: Int(response.status.code), body: Data(buffer: bytes))
        } catch {
            throw translate(error, request: label)
        }
    }

    func url(_ path: String, query: [(String, String)] = []) -> String {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // Go's query parser reads `+` as a space and drops every parameter holding a `;` (since Go 1.17): escape
        // both, as kubectl's client does (a script's text travels in `command=` parameters).
        let encoded = components.percentEncodedQuery.map {
            "?" + $0.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: ";", with: "%3B")
        } ?? ""
        return server + path + encoded
    }

    /// Whether the server is given by IP address (`https://127.0.0.1:6443`) rather than a name.
    var serverHostIsAddress: Bool {
        guard let host = URLComponents(string: server)?.host else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare.contains(":") || bare.split(separator: ".").count == 4 && bare.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    /// Where this API's WebSocket calls go (`wss://…`).
    func webSocketURL(_ path: String, query: [(String, String)]) -> String {
        let http = url(path, query: query)
        if http.hasPrefix("https://") { return "wss://" + http.dropFirst("https://".count) }
        if http.hasPrefix("http://") { return "ws://" + http.dropFirst("http://".count) }
        return http
    }

    private func credentialKey(_ current: Credentials) -> String {
        let cluster = credentials.cluster
        let digest = SHA256.hex((cluster.certificateAuthority ?? []) + (current.certificate ?? []) + (current.key ?? []))
        return cluster.insecureSkipTLSVerify ? digest + "-insecure" : digest
    }

    typealias Credentials = KubernetesCredentials.Current

    // MARK: JSON helpers

    /// Sends and expects a 2xx; a failure is the server's Status message, with the request named.
    @discardableResult
    func expect(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                contentType: String = "application/json", allowing allowed: Set<Int> = []) async throws -> Response {
        let response = try await send(method, path, query: query, body: body, contentType: contentType)
        guard (200..<300).contains(response.status) || allowed.contains(response.status) else {
            throw failure(response, request: "\(method.rawValue) \(path)")
        }
        return response
    }

    /// Decodes a 2xx answer.
    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = []) async throws -> T {
        let response = try await expect(.GET, path, query: query)
        return try decode(type, response.body, request: "GET \(path)")
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: Data, request: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw BackendError(.protocolViolation, "the API server \(server) answered \(request) with something nalabo cannot read: \(error)")
        }
    }

    /// The server's Status, worded for a person: the kind of refusal and the server's own message.
    func failure(_ response: Response, request: String) -> BackendError {
        let status = try? JSONDecoder().decode(K8s.Status.self, from: response.body)
        let message = status?.message ?? String(decoding: response.body.prefix(500), as: UTF8.self)
        let said = message.isEmpty ? "HTTP \(response.status)" : message
        switch response.status {
        case 401:
            return BackendError(.unreachable, "the API server \(server) (context \(context)) did not accept nalabo's credentials: \(said). "
                                + "The token or certificate may have expired: log in to the cluster again (as for kubectl)")
        case 403 where said.contains("User \"") && said.contains("cannot"):
            return BackendError(.refused, "the API server \(server) (context \(context)) forbids \(request): \(said). "
                                + "The user needs the role in docs/kubernetes-rbac.yaml")
        case 403:
            // Admission (Pod Security, quota) refuses with 403 too, in its own words.
            return BackendError(.refused, "the cluster refused \(request): \(said)")
        case 404:
            return BackendError(.notFound, "\(request): \(said)")
        case 409:
            return BackendError(.refused, "\(request): \(said)")
        case 422:
            return BackendError(.refused, "the cluster refused \(request): \(said)")
        default:
            return BackendError(.refused, "the API server \(server) answered \(request) with \(response.status): \(said)")
        }
    }

    /// Names the server and context when nothing answers; passes others on.
    func translate(_ error: Error, request: String) -> Error {
        if error is BackendError || error is CancellationError || error is Kubeconfig.Failure { return error }
        if Task.isCancelled || (error as? HTTPClientError) == .cancelled { return CancellationError() }
        let reason: String
        if let io = error as? IOError {
            reason = String(cString: strerror(io.errnoCode))
        } else if let connection = error as? NIOConnectionError {
            reason = connection.connectionErrors.compactMap { ($0.error as? IOError).map { String(cString: strerror($0.errnoCode)) } }.first ?? "cannot connect (\(connection.connectionErrors.map { "\($0.target): \($0.error)" }.joined(separator: "; ")))"
        } else if let http = error as? HTTPClientError, http == .connectTimeout || http == .deadlineExceeded || http == .readTimeout {
            reason = "no answer to \(request) in time"
        } else if let http = error as? HTTPClientError, http == .remoteConnectionClosed {
            reason = "the server closed the connection during \(request)"
        } else if let tls = error as? NIOSSLError {
            reason = "TLS failed (\(tls)); is the kubeconfig's certificate-authority the cluster's?"
        } else if let tls = error as? BoringSSLError {
            reason = "TLS failed (\(tls)); is the kubeconfig's certificate-authority the cluster's?"
        } else {
            return BackendError(.protocolViolation, "\(request) to the API server \(server): \(error)")
        }
        return BackendError(.unreachable, "cannot reach the Kubernetes API server \(server) (context \(context)): \(reason)")
    }

    // One client per TLS identity, kept for the process's lifetime (AsyncHTTPClient wants clients shut down
    // before they go away; these never go away).
    private static let clients = Mutex<[String: HTTPClient]>([:])

    private static func client(_ tls: TLSConfiguration, key: String) throws -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                         timeout: .init(connect: .seconds(5), read: nil), decompression: .disabled)
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// How a WebSocket call (exec, port-forward) to this server connects: the current credentials, the stream
    /// protocol asked for, and TLS. TLS cannot carry an IP address as the server name (SNI), and the WebSocket
    /// client sends the URL's host there: for a server given by address, it names (and verifies) `kubernetes`,
    /// which every API server certificate carries.
    func webSocket(protocol proto: String, closeTimeout: Duration) async throws -> (WebSocketClientConfiguration, TLSConfiguration) {
        let current = try await credentials.current()
        var headers = HTTPFields()
        if let token = current.token, let name = HTTPField.Name("Authorization") { headers[name] = "Bearer \(token)" }
        if let name = HTTPField.Name("Sec-WebSocket-Protocol") { headers[name] = proto }
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers, closeTimeout: closeTimeout,
                                                         sniHostname: serverHostIsAddress ? "kubernetes" : nil)
        return (configuration, try credentials.tlsConfiguration(for: current))
    }
}
