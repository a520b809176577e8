import Foundation
import WorkshopSpec

/// Brings sessions up and tears them down on a container engine.
public struct SessionProvisioner: Sendable {
    public let engine: any ContainerEngine
    public let store: SessionStore
    public var gatewayImage: String

    public init(engine: any ContainerEngine, store: SessionStore,
                gatewayImage: String = ProcessInfo.processInfo.environment["NALABO_PORT_GATEWAY_IMAGE"] ?? SessionBlueprint.defaultGatewayImage) {
        self.engine = engine
        self.store = store
        self.gatewayImage = gatewayImage
    }

    public struct Options: Sendable {
        /// Keep the session when setup fails, for inspection.
        public var keepOnFailure = false
        /// Run every challenge's `setup` after the environment's (learners); `nalabo test` runs them itself.
        public var runChallengeSetups = true
        /// Where the workshop came from, for the record.
        public var source: String
        /// When the session ends; nil for `limits.session` from now. (A hosted event may end it sooner.)
        public var expiresAt: Date?
        public init(source: String) { self.source = source }
    }

    /// A fresh, unused session id: 10 lowercase hex digits.
    static func newID() -> String {
        String((0..<10).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    /// Creates, starts and sets up a session. On any failure, and on cancellation, everything created is
    /// removed again (unless `keepOnFailure` and the failure is a setup script's).
    public func up(_ workshop: Workshop, options: Options, events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        let bundle = WorkshopBundle(workshop)
        let now = Date()
        var id = Self.newID()
        while (try? store.load(id)) != nil { id = Self.newID() }
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
        var blueprint = SessionBlueprint(sessionID: id, workshop: workshop,
                                         expiresAt: options.expiresAt ?? now.addingTimeInterval(TimeInterval(workshop.limits.session.seconds)),
                                         stateFile: store.recordPath(id), gatewayImage: gatewayImage,
                                         limitsDisk: info.canLimitDisk)
        if blueprint.network?.hostAddress == true, case .unverified(let reason) = await engine.protectHost() {
            events(.notEnforced(.hostServices, reason: reason))
        }

        // Images first: nothing is created before every image is there.
        for image in blueprint.images {
            try Task.checkCancellation()
            events(.checkingImage(image))
            if try await engine.imageExists(image) { continue }
            try await engine.pullImage(image) { events(.pulling($0)) }
            events(.pulled(image))
        }
        if let initProgram, let image = blueprint.images.first {
            blueprint.initVolume = try await InitProgram.ensureVolume(initProgram, on: engine, image: image)
        }

        var record = LocalSession(
            id: id, status: .starting, createdAt: now, expiresAt: blueprint.expiresAt,
            workshop: .init(slug: workshop.metadata.slug, version: workshop.metadata.version, title: workshop.metadata.title,
                            digest: bundle.digest, source: options.source),
            endpoint: engine.endpoint.description, networks: [], containers: [], gatewayID: nil, progress: [:], catalogueSession: nil,
            startingProcess: getpid())
        // The record exists before any engine object, so `prune` never mistakes a starting session for an orphan.
        try store.create(record, bundle: bundle.canonicalText)

        do {
            record = try await provision(blueprint, record: record, events: events)
            try await runSetup(workshop, record: record, challengeSetups: options.runChallengeSetups, events: events)
            record.status = .ready
            record.startingProcess = nil
            try store.save(record)
            events(.ready(record))
            return record
        } catch {
            if var failure = error as? SetupFailure, options.keepOnFailure {
                record.status = .failed
                record.startingProcess = nil
                try? store.save(record)
                failure.keptSession = id
                throw failure
            }
            // Tear down outside the (possibly cancelled) task, so the engine calls still go out.
            let cleanup = Task.detached { [self] in await self.remove(sessionID: id, events: events) }
            let problems = await cleanup.value
            if !problems.isEmpty {
                // The engine is gone (stopped mid-`up`): forget the session locally, so its objects count as
                // orphans that `prune` removes once the engine is back.
                try? store.remove(id)
                throw IncompleteCleanup(cause: error, session: id, problems: problems)
            }
            throw error
        }
    }

    /// Why an engine cannot cap a container's disk, and what the operator does.
    static func uncappedDisk(_ info: EngineInfo) -> String {
        let storage = "\(info.storageDriver ?? "unknown") on \(info.backingFilesystem ?? "an unknown filesystem")"
        return "the engine's storage (\(storage)) cannot cap a container's size; run the engine on overlay2 over xfs "
            + "mounted with pquota, or on btrfs (scripts/start-docker sets that up; docs/runtime.md, \"Disk\")"
    }

    private func provision(_ blueprint: SessionBlueprint, record: LocalSession,
                           events: @escaping @Sendable (SessionEvent) -> Void) async throws -> LocalSession {
        var record = record
        for network in [blueprint.network, blueprint.gatewayNetwork].compactMap({ $0 }) {
            try Task.checkCancellation()
            events(.creatingNetwork(network.name))
            _ = try await engine.createNetwork(network)
            record.networks.append(network.name)
        }
        for (container, spec) in zip(blueprint.workshop.environment.containers, blueprint.containers) {
            try Task.checkCancellation()
            events(.startingContainer(container.name))
            let engineID: String
            do {
                engineID = try await engine.createContainer(spec)
            } catch let error as EngineError where spec.limits.diskBytes != nil && error.refusesStorageSize {
                // overlay2 on xfs, but mounted without project quotas: say so and go on without the cap.
                events(.notEnforced(.disk, reason: "the engine refused a size for the container (\(error)); mount its xfs with pquota (docs/runtime.md, \"Disk\")"))
                var unlimited = spec
                unlimited.limits.diskBytes = nil
                engineID = try await engine.createContainer(unlimited)
            }
            record.containers.append(.init(name: container.name, engineName: spec.name, engineID: engineID, ports: []))
            try store.save(record)
            try await engine.startContainer(engineID)
        }
        // Addresses and published ports are known once the containers run.
        var addresses: [String: String] = [:]
        for index in record.containers.indices {
            guard let engineID = record.containers[index].engineID else { continue }
            let state = try await engine.inspectContainer(engineID)
            guard state.running else {
                // An engine shutting down stops every container: say that, not that the image is broken.
                _ = try await engine.info()
                if blueprint.expiresAt <= Date() { throw ExpiredBeforeReady(session: blueprint.workshop.limits.session) }
                throw EngineError.protocolViolation("container \(record.containers[index].name) stopped right after it started (status \(state.status), exit \(state.exitCode)); does its image have /bin/sh?")
            }
            if let network = blueprint.network?.name { addresses[record.containers[index].name] = state.addresses[network] }
            record.containers[index].ports = state.ports.sorted { $0.key < $1.key }.map {
                .init(port: $0.key, hostIP: $0.value.hostIP, hostPort: $0.value.hostPort)
            }
        }
        if let gateway = blueprint.gatewaySpec(addresses: addresses), let internalNetwork = blueprint.network {
            try Task.checkCancellation()
            events(.servingPorts(blueprint.relays.count))
            let gatewayID = try await engine.createContainer(gateway)
            record.gatewayID = gatewayID
            try store.save(record)
            try await engine.connect(container: gatewayID, toNetwork: internalNetwork.name, aliases: [])
            try await engine.startContainer(gatewayID)
            let state = try await engine.inspectContainer(gatewayID)
            for relay in blueprint.relays {
                guard let published = state.ports[relay.gatewayPort],
                      let index = record.containers.firstIndex(where: { $0.name == relay.container }) else { continue }
                record.containers[index].ports.append(.init(port: relay.port, hostIP: published.hostIP, hostPort: published.hostPort))
            }
        }
        try store.save(record)
        return record
    }

    private func runSetup(_ workshop: Workshop, record: LocalSession, challengeSetups: Bool,
                          events: @escaping @Sendable (SessionEvent) -> Void) async throws {
        var scripts = workshop.environment.setup
        if challengeSetups { scripts += workshop.challengesInDependencyOrder.compactMap(\.setup) }
        let runner = ScriptRunner(engine: engine)
        for script in scripts {
            try Task.checkCancellation()
            guard let container = workshop.container(script.container),
                  let engineID = record.container(script.container)?.engineID else {
                throw EngineError.notFound("container \(script.container) of session \(record.id)")
            }
            events(.runningSetup(script: script.displayName, container: container.name))
            let outcome = try await runner.run(script, in: engineID, container: container, sweep: false)
            guard outcome.succeeded else {
                throw SetupFailure(script: script.displayName, container: container.name, outcome: outcome)
            }
            events(.setupFinished(script: script.displayName, seconds: outcome.duration.seconds))
        }
    }

    /// Removes every engine object labelled with the session and its local state. Errors are collected, not
    /// thrown, so one stuck object never keeps the rest alive; they are returned for reporting.
    @discardableResult
    public func remove(sessionID id: String, events: @Sendable (SessionEvent) -> Void = { _ in }) async -> [String] {
        var problems: [String] = []
        let label = "\(SessionBlueprint.Label.session)=\(id)"
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
        if problems.isEmpty {
            do { try store.remove(id) } catch { problems.append("\(store.recordPath(id)): \(error)") }
        }
        return problems
    }
}

/// The session's time ran out while it was being started (its containers stop at the expiry).
public struct ExpiredBeforeReady: Error, Sendable, CustomStringConvertible {
    public var session: SpecDuration
    public var description: String {
        "the session expired before it was ready: starting it took longer than its time (\(session)); "
            + "the engine's machine may be overloaded, or the workshop's limits.session too short"
    }
}

/// `up` failed and could not remove what it had created (usually: the engine stopped answering).
public struct IncompleteCleanup: Error, Sendable, CustomStringConvertible {
    public var cause: any Error
    public var session: String
    public var problems: [String]

    public var description: String {
        "\(cause)\nsession \(session) could not be removed; once the engine answers again, `nalabo prune` removes what is left"
    }
}

extension Script {
    /// How a script is named in messages: its file, or where it is written inline.
    public var displayName: String {
        switch source {
        case .file(let path, _): path
        case .inline: "the script at line \(location.line)"
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
