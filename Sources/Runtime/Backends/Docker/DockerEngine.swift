import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// ``ContainerEngine`` over the Docker Engine API (Docker 20.10 / API 1.41 and newer, and Podman's
/// Docker-compatible service). Create one with ``connect(to:)``, which negotiates the API version.
public struct DockerEngine: ContainerEngine {
    public let endpoint: EngineEndpoint
    /// The API version every request uses.
    public let apiVersion: DockerAPIVersion
    private let transport: DockerTransport

    /// Pings the engine (`/_ping`, unversioned) and settles on an API version both sides speak.
    public static func connect(to endpoint: EngineEndpoint) async throws -> DockerEngine {
        let transport = try DockerTransport(endpoint: endpoint)
        let ping = try await transport.send(.GET, "/_ping", version: nil, timeout: .seconds(10))
        guard ping.status == 200 else {
            throw EngineError.unreachable(endpoint: endpoint.description, reason: "/_ping answered HTTP \(ping.status): \(ping.message)")
        }
        let reported = ping.headers.first(name: "Api-Version") ?? ""
        // Very old engines do not send the header; they are older than anything supported.
        guard let server = DockerAPIVersion(reported), let version = DockerAPIVersion.negotiate(server: server) else {
            throw EngineError.unsupportedVersion(endpoint: endpoint.description, apiVersion: reported.isEmpty ? "unknown" : reported)
        }
        return DockerEngine(endpoint: endpoint, apiVersion: version, transport: transport)
    }

    /// Connects to the engine the environment names (``EngineEndpoint/resolve(environment:fileManager:)``).
    public static func connect(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> DockerEngine {
        try await connect(to: EngineEndpoint.resolve(environment: environment))
    }

    /// An engine whose API version is already known (negotiated by an earlier command): no ping first. If the
    /// engine is gone, the first request says so.
    public static func resume(at endpoint: EngineEndpoint, apiVersion: DockerAPIVersion) throws -> DockerEngine {
        DockerEngine(endpoint: endpoint, apiVersion: apiVersion, transport: try DockerTransport(endpoint: endpoint))
    }

    private init(endpoint: EngineEndpoint, apiVersion: DockerAPIVersion, transport: DockerTransport) {
        self.endpoint = endpoint
        self.apiVersion = apiVersion
        self.transport = transport
    }

    // MARK: Requests

    /// Sends a versioned request and checks its status (for the engine's extensions in other files).
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = []) async throws -> DockerTransport.Response {
        try await call(method, path, query: query)
    }

    func createExec(container: String, _ create: API.ExecCreate) async throws -> String {
        let created = try await call(.POST, "/containers/\(Self.escape(container))/exec", body: create)
        return try decode(API.Created.self, created, "POST /containers/\(container)/exec").id
    }

    func inspectExec(_ id: String) async throws -> API.ExecInspect {
        try decode(API.ExecInspect.self, try await call(.GET, "/exec/\(id)/json"), "GET /exec/\(id)/json")
    }

    private func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable)? = nil,
                      timeout: Duration = .seconds(60), accept: Set<Int> = []) async throws -> DockerTransport.Response {
        let json = try body.map { try JSONEncoder().encode($0) }
        let response = try await transport.send(method, path, version: apiVersion, query: query, json: json, timeout: timeout)
        guard (200..<300).contains(response.status) || accept.contains(response.status) else {
            if response.status == 404 { throw EngineError.notFound("\(method) \(path): \(response.message)") }
            throw EngineError.api(status: response.status, message: response.message, request: "\(method) \(path)")
        }
        return response
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: DockerTransport.Response, _ request: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw EngineError.protocolViolation("cannot read the answer to \(request): \(error)")
        }
    }

    private static func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? component
    }

    // MARK: ContainerEngine

    public func info() async throws -> EngineInfo {
        let response = try await call(.GET, "/info", timeout: .seconds(20))
        let info = try decode(API.Info.self, response, "GET /info")
        let version = try decode(API.Version.self, try await call(.GET, "/version", timeout: .seconds(20)), "GET /version")
        let product = version.components?.first(where: { $0.name.lowercased().contains("podman") }) != nil ? "Podman" : "Docker"
        return EngineInfo(product: product, serverVersion: version.version ?? info.serverVersion ?? "unknown",
                          apiVersion: apiVersion.description, operatingSystem: info.operatingSystem ?? "unknown",
                          cgroupVersion: info.cgroupVersion, storageDriver: info.driver,
                          backingFilesystem: info.driverStatus?.first { $0.first == "Backing Filesystem" }?.last)
    }

    public func imageExists(_ reference: String) async throws -> Bool {
        let response = try await call(.GET, "/images/\(Self.escape(reference))/json", accept: [404])
        return response.status != 404
    }

    public func pullImage(_ reference: String, progress: @escaping @Sendable (PullEvent) -> Void) async throws {
        let path = "/images/create"
        let response = try await transport.open(.POST, path, version: apiVersion, query: [("fromImage", reference)], timeout: .seconds(3600))
        var parser = PullProgressParser(image: reference)
        do {
            if response.status.code != 200 {
                let body = try await response.body.collect(upTo: 1 << 20)
                let message = DockerTransport.Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body)).message
                throw EngineError.imageUnavailable(image: reference, reason: message)
            }
            for try await chunk in response.body {
                for event in parser.feed(chunk.readableBytesView) { progress(event) }
            }
            for event in parser.finish() { progress(event) }
        } catch let error as EngineError {
            throw error
        } catch {
            throw transport.translate(error, request: "POST \(path)")
        }
        if let error = parser.error { throw EngineError.imageUnavailable(image: reference, reason: error) }
        guard try await imageExists(reference) else {
            throw EngineError.imageUnavailable(image: reference, reason: "the pull finished but the engine does not have the image")
        }
    }

    public func createNetwork(_ spec: NetworkSpec) async throws -> String {
        var options: [String: String] = [:]
        if let bridge = spec.bridgeName { options["com.docker.network.bridge.name"] = bridge }
        // No address on the host's side of the bridge: the containers' default route leads nowhere, so no host
        // service (sshd, the catalogue, the engine's TCP socket, the portal) is reachable from the network.
        if !spec.hostAddress { options["com.docker.network.bridge.inhibit_ipv4"] = "true" }
        let body = API.NetworkCreate(name: spec.name, checkDuplicate: true, driver: "bridge", internal: spec.isInternal,
                                     labels: spec.labels, attachable: false, options: options)
        let response = try await call(.POST, "/networks/create", body: body)
        return try decode(API.Created.self, response, "POST /networks/create").id
    }

    public func connect(container: String, toNetwork network: String, aliases: [String]) async throws {
        let body = API.NetworkConnect(container: container, endpointConfig: .init(aliases: aliases))
        _ = try await call(.POST, "/networks/\(Self.escape(network))/connect", body: body)
    }

    public func removeNetwork(_ idOrName: String) async throws {
        _ = try await call(.DELETE, "/networks/\(Self.escape(idOrName))", accept: [404])
    }

    public func createContainer(_ spec: ContainerSpec) async throws -> String {
        let body = API.ContainerCreate(spec)
        let response = try await call(.POST, "/containers/create", query: [("name", spec.name)], body: body, accept: [404])
        if response.status == 404 {
            throw EngineError.imageUnavailable(image: spec.image, reason: response.message)
        }
        return try decode(API.Created.self, response, "POST /containers/create").id
    }

    public func volumeLabels(_ name: String) async throws -> [String: String]? {
        let response = try await call(.GET, "/volumes/\(Self.escape(name))", accept: [404])
        guard response.status != 404 else { return nil }
        return try decode(API.VolumeInspect.self, response, "GET /volumes/\(name)").labels ?? [:]
    }

    public func createVolume(_ name: String, labels: [String: String]) async throws {
        // Engines before 23 return an existing volume as it is; newer ones answer 409 when the labels differ.
        _ = try await call(.POST, "/volumes/create", body: API.VolumeCreate(name: name, labels: labels), accept: [409])
    }

    public func removeVolume(_ name: String) async throws {
        _ = try await call(.DELETE, "/volumes/\(Self.escape(name))", accept: [404])
    }

    public func copyFiles(_ files: [ContainerFile], into container: String, at directory: String) async throws {
        let archive: [UInt8]
        do {
            archive = try TarArchive.archive(files)
        } catch let error as TarArchive.NameTooLong {
            throw EngineError.api(status: 400, message: error.description, request: "PUT /containers/\(container)/archive")
        }
        try await putArchive(archive, into: container, at: directory)
    }

    /// Unpacks a tar archive (plain, gzip, bzip2 or xz: the engine detects which) into an existing directory of a
    /// container.
    public func putArchive(_ archive: [UInt8], into container: String, at directory: String) async throws {
        let path = "/containers/\(Self.escape(container))/archive"
        // A file never replaces a directory, nor a directory a file: the upload fails instead (as tar does).
        let copied = try await transport.send(.PUT, path, version: apiVersion, query: [("path", directory), ("noOverwriteDirNonDir", "true")],
                                              body: (Data(archive), "application/x-tar"), timeout: .seconds(120))
        guard (200..<300).contains(copied.status) else {
            throw EngineError.api(status: copied.status, message: copied.message, request: "PUT \(path)")
        }
    }

    public func protectHost() async -> HostFirewall.Status {
        HostFirewall.ensure(for: endpoint)
    }

    public func startContainer(_ id: String) async throws {
        _ = try await call(.POST, "/containers/\(Self.escape(id))/start", accept: [304])
    }

    public func inspectContainer(_ id: String) async throws -> ContainerState {
        let response = try await call(.GET, "/containers/\(Self.escape(id))/json")
        let inspect = try decode(API.ContainerInspect.self, response, "GET /containers/\(id)/json")
        var ports: [Int: PublishedPort] = [:]
        for (key, bindings) in inspect.networkSettings?.ports ?? [:] {
            guard key.hasSuffix("/tcp"), let port = Int(key.dropLast(4)),
                  let binding = bindings?.first(where: { $0.hostIP != "::" }) ?? bindings?.first,
                  let hostPort = Int(binding.hostPort) else { continue }
            ports[port] = PublishedPort(port: port, hostIP: binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP, hostPort: hostPort)
        }
        var addresses: [String: String] = [:]
        for (network, settings) in inspect.networkSettings?.networks ?? [:] where !(settings.ipAddress ?? "").isEmpty {
            addresses[network] = settings.ipAddress
        }
        return ContainerState(
            id: inspect.id, name: String(inspect.name.drop(while: { $0 == "/" })),
            running: inspect.state.running, status: inspect.state.status, exitCode: inspect.state.exitCode,
            oomKilled: inspect.state.oomKilled, ports: ports, addresses: addresses, labels: inspect.config?.labels ?? [:]
        )
    }

    public func removeContainer(_ id: String) async throws {
        // 409: a removal is already under way, which is what was asked for.
        _ = try await call(.DELETE, "/containers/\(Self.escape(id))", query: [("force", "true"), ("v", "true")], accept: [404, 409])
    }

    public func containers(labelled label: String) async throws -> [ContainerSummary] {
        let filters = try Self.labelFilter(label)
        let response = try await call(.GET, "/containers/json", query: [("all", "true"), ("filters", filters)])
        return try decode([API.ContainerListItem].self, response, "GET /containers/json").map {
            ContainerSummary(id: $0.id, name: String(($0.names.first ?? $0.id).drop(while: { $0 == "/" })), state: $0.state ?? "", labels: $0.labels ?? [:])
        }
    }

    public func networks(labelled label: String) async throws -> [NetworkSummary] {
        let filters = try Self.labelFilter(label)
        let response = try await call(.GET, "/networks", query: [("filters", filters)])
        return try decode([API.NetworkListItem].self, response, "GET /networks").map {
            NetworkSummary(id: $0.id, name: $0.name, labels: $0.labels ?? [:])
        }
    }

    private static func labelFilter(_ label: String) throws -> String {
        String(decoding: try JSONEncoder().encode(["label": [label]]), as: UTF8.self)
    }

    // MARK: Exec

    public func exec(_ request: ExecRequest) async throws -> ExecOutput {
        let create = API.ExecCreate(attachStdin: false, attachStdout: true, attachStderr: true, tty: false,
                                    cmd: request.command, env: request.env.isEmpty ? nil : request.env,
                                    user: request.user, workingDir: request.workdir)
        let execID = try await createExec(container: request.container, create)
        let output = OutputBox(ExecOutput(exitCode: nil, stdout: CappedOutput(limit: request.outputLimit),
                                          stderr: CappedOutput(limit: request.outputLimit)))

        // Without the Upgrade header the engine answers 200 and streams the multiplexed output until the
        // process ends and its output is drained. Output is kept as it arrives, so a deadline keeps what came.
        let startPath = "/exec/\(execID)/start"
        let startBody = try JSONEncoder().encode(API.ExecStart(detach: false, tty: false))
        let stream: @Sendable () async throws -> Void = {
            let response = try await transport.open(.POST, startPath, version: apiVersion, json: startBody, timeout: .seconds(24 * 3600))
            guard response.status.code == 200 else {
                let body = try await response.body.collect(upTo: 1 << 16)
                let message = DockerTransport.Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body)).message
                throw EngineError.api(status: Int(response.status.code), message: message, request: "POST \(startPath)")
            }
            var demultiplexer = StreamDemultiplexer()
            do {
                for try await chunk in response.body {
                    try output.value.withLock { output in
                        try demultiplexer.feed(chunk.readableBytesView) { stream, bytes in
                            if stream == .stdout { output.stdout.append(bytes) } else { output.stderr.append(bytes) }
                        }
                    }
                }
            } catch let failure as StreamDemultiplexer.Failure {
                throw EngineError.protocolViolation(failure.description)
            } catch {
                throw transport.translate(error, request: "POST \(startPath)")
            }
        }
        // At the deadline the output so far is returned and the stream cancelled (the command goes on in the
        // container until its own limit); a cancelled caller (Ctrl-C) stops waiting at once as well.
        let clock = ContinuousClock()
        let started = clock.now
        let finished = try await withDeadline(request.timeLimit.map { started + $0 }, stream) != nil
        var result = output.value.withLock { $0 }
        result.duration = clock.now - started
        guard finished else { return result }

        // The exit code is null while the exec still runs; the stream can end a moment before.
        for attempt in 0..<200 {
            let inspect = try await inspectExec(execID)
            if !inspect.running, let code = inspect.exitCode {
                result.exitCode = code
                return result
            }
            try await Task.sleep(for: .milliseconds(attempt < 20 ? 5 : 50))
        }
        throw EngineError.protocolViolation("exec \(execID) in \(request.container) never reported an exit code")
    }
}


/// Output shared between the task that reads an exec's stream and the one that waits for its deadline.
private final class OutputBox: Sendable {
    let value: Mutex<ExecOutput>
    init(_ output: ExecOutput) { value = Mutex(output) }
}
