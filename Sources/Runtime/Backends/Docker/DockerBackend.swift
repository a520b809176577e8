import Foundation
import WorkshopSpec

/// Sessions on a Docker engine (or Podman's Docker-compatible service): one container per member on a
/// session network, nalabo-init as PID 1, a port gateway for isolated sessions, everything labelled.
public struct DockerBackend: SessionBackend {
    /// The engine client; below the seam (tests of the Docker layout use it directly).
    public let engine: any ContainerEngine
    public var gatewayImage: String

    public init(engine: any ContainerEngine,
                gatewayImage: String = ProcessInfo.processInfo.environment["NALABO_PORT_GATEWAY_IMAGE"] ?? DockerLayout.defaultGatewayImage) {
        self.engine = engine
        self.gatewayImage = gatewayImage
    }

    /// The engine DOCKER_HOST, the docker context or the default socket names (``EngineEndpoint/resolve``).
    public static func connect(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> DockerBackend {
        try await translating { DockerBackend(engine: try await DockerEngine.connect(environment: environment)) }
    }

    /// The engine a session was started on, in the API version negotiated then (no ping first).
    public static func reopen(_ locator: BackendLocator, apiVersion: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> DockerBackend {
        try await translating {
            let endpoint = try EngineEndpoint(parsing: locator.address, origin: "the session's engine", environment: environment)
            if let known = apiVersion.flatMap(DockerAPIVersion.init), DockerAPIVersion.negotiate(server: known) == known {
                return DockerBackend(engine: try DockerEngine.resume(at: endpoint, apiVersion: known))
            }
            return DockerBackend(engine: try await DockerEngine.connect(to: endpoint))
        }
    }

    public var locator: BackendLocator { BackendLocator(kind: .docker, address: engine.endpoint.description) }

    public func info() async throws -> BackendInfo {
        let info = try await Self.translating { try await engine.info() }
        var details = ["apiVersion": info.apiVersion, "operatingSystem": info.operatingSystem]
        details["cgroupVersion"] = info.cgroupVersion
        details["storageDriver"] = info.storageDriver
        details["backingFilesystem"] = info.backingFilesystem
        return BackendInfo(kind: .docker, product: info.product, version: info.serverVersion, details: details)
    }

    // MARK: Provisioning

    public func provision(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle {
        try await Self.translating { try await create(plan, events: events) }
    }

    private func create(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle {
        // What of the session's protection this engine and installation can give; `up` says what will not hold.
        let info = try await engine.info()
        if !info.canLimitDisk { events(.notEnforced(.disk, reason: Self.uncappedDisk(info))) }
        let initProgram: [UInt8]?
        switch InitProgram.contents {
        case .success(let bytes): initProgram = bytes
        case .failure(let missing):
            events(.notEnforced(.expiry, reason: missing.description))
            initProgram = nil
        }
        var layout = DockerLayout(plan: plan, gatewayImage: gatewayImage, limitsDisk: info.canLimitDisk)
        if layout.network?.hostAddress == true, case .unverified(let reason) = await engine.protectHost() {
            events(.notEnforced(.hostServices, reason: reason))
        }

        // Images first: nothing is created before every image is there.
        for image in layout.images {
            try Task.checkCancellation()
            events(.checkingImage(image))
            if try await engine.imageExists(image) { continue }
            try await engine.pullImage(image) { events(.pulling($0)) }
            events(.pulled(image))
        }
        if let initProgram, let image = layout.images.first {
            layout.initVolume = try await InitProgram.ensureVolume(initProgram, on: engine, image: image)
        }

        var handle = SessionHandle(locator: locator, session: plan.sessionID, members: [:],
                                   state: ["apiVersion": (engine as? DockerEngine)?.apiVersion.description ?? ""])
        for network in [layout.network, layout.gatewayNetwork].compactMap({ $0 }) {
            try Task.checkCancellation()
            events(.creating(kind: "network", name: network.name))
            _ = try await engine.createNetwork(network)
        }
        for (member, spec) in zip(plan.members, layout.containers) {
            try Task.checkCancellation()
            events(.startingMember(member.name))
            let id: String
            do {
                id = try await engine.createContainer(spec)
            } catch let error as EngineError where spec.limits.diskBytes != nil && error.refusesStorageSize {
                // overlay2 on xfs, but mounted without project quotas: say so and go on without the cap.
                events(.notEnforced(.disk, reason: "the engine refused a size for the container (\(error)); mount its xfs with pquota (docs/runtime.md, \"Disk\")"))
                var unlimited = spec
                unlimited.limits.diskBytes = nil
                id = try await engine.createContainer(unlimited)
            }
            handle.members[member.name] = id
            if let user = layout.defaultExecUser(of: member) { handle.state["user/\(member.name)"] = user }
            try await engine.startContainer(id)
        }
        // Addresses and published ports are known once the containers run.
        var addresses: [String: String] = [:]
        for member in plan.members {
            guard let id = handle.members[member.name] else { continue }
            let state = try await engine.inspectContainer(id)
            guard state.running else {
                // An engine shutting down stops every container: say that, not that the image is broken.
                _ = try await engine.info()
                if plan.expiresAt <= Date() { throw ExpiredBeforeReady(session: plan.workshop.limits.session) }
                throw EngineError.protocolViolation("container \(member.name) stopped right after it started (status \(state.status), exit \(state.exitCode)); does its image have /bin/sh?")
            }
            if let network = layout.network?.name { addresses[member.name] = state.addresses[network] }
            handle.ports[member.name] = state.ports.sorted { $0.key < $1.key }.map(\.value)
        }
        if let gateway = layout.gatewaySpec(addresses: addresses), let internalNetwork = layout.network {
            try Task.checkCancellation()
            events(.servingPorts(layout.relays.count))
            let gatewayID = try await engine.createContainer(gateway)
            handle.state["gateway"] = gatewayID
            try await engine.connect(container: gatewayID, toNetwork: internalNetwork.name, aliases: [])
            try await engine.startContainer(gatewayID)
            let state = try await engine.inspectContainer(gatewayID)
            for relay in layout.relays {
                guard let published = state.ports[relay.gatewayPort] else { continue }
                handle.ports[relay.container, default: []].append(PublishedPort(port: relay.port, hostIP: published.hostIP, hostPort: published.hostPort))
            }
        }
        return handle
    }

    /// Why an engine cannot cap a container's disk, and what the operator does.
    static func uncappedDisk(_ info: EngineInfo) -> String {
        let storage = "\(info.storageDriver ?? "unknown") on \(info.backingFilesystem ?? "an unknown filesystem")"
        return "the engine's storage (\(storage)) cannot cap a container's size; run the engine on overlay2 over xfs "
            + "mounted with pquota, or on btrfs (scripts/start-docker sets that up; docs/runtime.md, \"Disk\")"
    }

    // MARK: Running things

    public func exec(_ request: MemberExec, in session: SessionHandle) async throws -> ExecOutput {
        let id = try container(request.member, in: session)
        do {
            let user = request.user ?? session.state["user/\(request.member)"]
            return try await engine.exec(ExecRequest(container: id, command: request.command, user: user, workdir: request.workdir,
                                                     env: request.env, timeLimit: request.timeLimit, outputLimit: request.outputLimit))
        } catch EngineError.notFound {
            throw BackendError(.notFound, "container \(request.member) (\(id.prefix(12))) does not exist on the engine — removed outside nalabo? `nalabo down` and `nalabo up` start over")
        } catch EngineError.api(409, let message, _) {
            throw BackendError(.stopped, "\(message); container \(request.member) has stopped (a restarted engine stops every container). `nalabo status` shows its state; `nalabo down` and `nalabo up` start over")
        } catch let error as EngineError {
            throw BackendError(error)
        }
    }

    /// Written files go in through the Engine API's archive upload (no tar needed in the image), with their modes
    /// and owners in the archive's headers; an archive to unpack is uploaded as it is into its target (created
    /// when missing), and an owner is then applied with `chown -R` as root.
    public func copyFiles(_ files: [FileCopy], into member: String, in session: SessionHandle) async throws {
        let id = try container(member, in: session)
        try await Self.translating {
            for file in files {
                guard file.extract else {
                    try await engine.copyFiles(ContainerFile.entries(writing: [file]), into: id, at: "/")
                    continue
                }
                // Into the target as it is; only a missing target is created (mode 0755, the owner), so an existing
                // directory keeps its own mode (/tmp its sticky bit).
                do {
                    try await engine.putArchive(file.bytes, into: id, at: file.target)
                } catch EngineError.api(status: 404, _, _) {
                    try await engine.copyFiles([ContainerFile(path: file.target, mode: 0o755, contents: [], uid: file.owner.uid,
                                                              gid: file.owner.gid, isDirectory: true)], into: id, at: "/")
                    try await engine.putArchive(file.bytes, into: id, at: file.target)
                }
                guard file.owner != .root else { continue }
                let output = try await engine.exec(ExecRequest(container: id, command: ["chown", "-R", file.owner.description, file.target],
                                                               user: "0", workdir: nil, env: [], timeLimit: .seconds(60), outputLimit: 4096))
                guard output.exitCode == 0 else {
                    throw BackendError(.refused, "chown -R \(file.owner) \(file.target) failed: \(output.stderr.text.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            }
        }
    }

    public func attachTerminal(member: String, command: [String], in session: SessionHandle, size: TerminalSize?) async throws -> any TerminalChannel {
        guard let docker = engine as? DockerEngine else {
            throw BackendError(.unsupported, "this engine client has no interactive terminals")
        }
        let id = try container(member, in: session)
        return try await Self.translating {
            let exec = try await docker.startInteractive(container: id, command: command, user: session.state["user/\(member)"], workdir: nil,
                                                         env: size == nil ? [] : ["TERM=xterm-256color"], tty: size != nil)
            let channel = DockerTerminal(exec: exec, engine: docker)
            if let size { try? await channel.resize(size) }
            return channel
        }
    }

    public func health(_ session: SessionHandle) async throws -> [String: MemberHealth] {
        // An engine that does not answer is an error, not every container "missing".
        _ = try await Self.translating { try await engine.info() }
        var health: [String: MemberHealth] = [:]
        for (member, id) in session.members {
            guard let state = try? await engine.inspectContainer(id) else {
                health[member] = MemberHealth(running: false, state: "missing", killedForMemory: false, outOfMemoryKills: nil)
                continue
            }
            var entry = MemberHealth(running: state.running, state: state.running ? "running" : "\(state.status) (exit \(state.exitCode))",
                                     killedForMemory: state.oomKilled && !state.running, outOfMemoryKills: nil)
            if state.running {
                let read = ExecRequest(container: id, command: ["/bin/sh", "-c", EmbeddedScripts.oomKills], timeLimit: .seconds(5), outputLimit: 64)
                if let output = try? await engine.exec(read), output.exitCode == 0 {
                    entry.outOfMemoryKills = Int(output.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
            health[member] = entry
        }
        return health
    }

    private func container(_ member: String, in session: SessionHandle) throws -> String {
        guard let id = session.members[member] else {
            throw BackendError(.notFound, "session \(session.session) has no container \(member)")
        }
        return id
    }

    // MARK: Finding and removing sessions

    public func teardown(_ sessionID: String, events: @escaping @Sendable (SessionEvent) -> Void) async -> [String] {
        var problems: [String] = []
        let label = "\(DockerLayout.Label.session)=\(sessionID)"
        do {
            for container in try await engine.containers(labelled: label) {
                events(.removing(container.name))
                do { try await engine.removeContainer(container.id) } catch { problems.append("\(container.name): \(error)") }
            }
            for network in try await engine.networks(labelled: label) {
                events(.removing(network.name))
                do { try await engine.removeNetwork(network.id) } catch { problems.append("\(network.name): \(error)") }
            }
        } catch {
            problems.append("\(error)")
        }
        return problems
    }

    public func sessions() async throws -> [BackendSession] {
        try await Self.translating {
            let label = DockerLayout.Label.session
            var found: [String: BackendSession] = [:]
            for container in try await engine.containers(labelled: label) {
                guard let metadata = DockerLayout.metadata(container.labels) else { continue }
                found[metadata.session, default: BackendSession(id: metadata.session, metadata: metadata, objects: [])].objects
                    .append("container \(container.name)")
            }
            for network in try await engine.networks(labelled: label) {
                guard let metadata = DockerLayout.metadata(network.labels) else { continue }
                found[metadata.session, default: BackendSession(id: metadata.session, metadata: metadata, objects: [])].objects
                    .append("network \(network.name)")
            }
            return found.values.sorted { $0.id < $1.id }
        }
    }

    /// Runs engine calls, turning an ``EngineError`` into the seam's ``BackendError`` with the same words.
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EngineError {
            throw BackendError(error)
        }
    }
}

extension BackendError {
    /// The Docker engine's failure, in the same words.
    init(_ error: EngineError) {
        let kind: Kind = switch error {
        case .badEndpoint, .unreachable: .unreachable
        case .unsupportedVersion: .unsupported
        case .imageUnavailable: .imageUnavailable
        case .api: .refused
        case .notFound: .notFound
        case .protocolViolation: .protocolViolation
        }
        self.init(kind, error.description)
    }
}
