import Foundation
import WorkshopSpec

/// Brings sessions up and tears them down on a backend: the session record, provisioning, setup, and
/// removal on failure, written once for every backend.
public struct SessionProvisioner: Sendable {
    public let backend: any SessionBackend
    public let store: any SessionRecords

    public init(backend: any SessionBackend, store: any SessionRecords) {
        self.backend = backend
        self.store = store
    }

    public struct Options: Sendable {
        /// Keep the session when setup fails, for inspection.
        public var keepOnFailure = false
        /// Enter the first step once the environment is set up (its setup and those of the challenges that start
        /// with it run); `nalabo test` does it itself, to charge a failing setup to its challenge.
        public var entersFirstStep = true
        /// Where the values of the workshop's `secrets:` come from.
        public var secrets = SecretSource()
        /// Where the workshop came from, for the record.
        public var source: String
        /// When the session ends; nil for `limits.session` from now. (A hosted event may end it sooner.)
        public var expiresAt: Date?
        /// How long the backend keeps the containers, when the session may be extended past `expiresAt` (a
        /// hosted event's deadline); nil for `expiresAt`.
        public var extendableUntil: Date?
        /// The catalogue session the record serves, known before the session is provisioned.
        public var catalogueSession: String?
        public init(source: String) { self.source = source }
    }

    /// A fresh, unused session id: 10 lowercase hex digits.
    static func newID() -> String {
        String((0..<10).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    /// Creates, starts and sets up a session. On any failure, and on cancellation, everything created is
    /// removed again (unless `keepOnFailure` and the failure is a setup script's).
    public func up(_ workshop: Workshop, options: Options, events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        // Every secret has a value before anything is created.
        let secrets = try options.secrets.values(for: workshop.environment.containers.flatMap { $0.secrets.map(\.value) })
        let bundle = WorkshopBundle(workshop)
        let now = Date()
        var id = Self.newID()
        while (try? await store.load(id)) != nil { id = Self.newID() }
        let expiresAt = options.expiresAt ?? now.addingTimeInterval(TimeInterval(workshop.limits.session.seconds))
        let plan = SessionPlan(sessionID: id, workshop: workshop, expiresAt: max(expiresAt, options.extendableUntil ?? expiresAt),
                               stateFile: store.location(of: id), origin: options.source, secrets: secrets)
        var record = LocalSession(
            id: id, status: .starting, createdAt: now, expiresAt: expiresAt,
            workshop: .init(slug: workshop.metadata.slug, version: workshop.metadata.version, title: workshop.metadata.title,
                            digest: bundle.digest, source: options.source),
            backend: backend.locator, handle: nil, containers: [], progress: [:], catalogueSession: options.catalogueSession,
            startingProcess: getpid(), lifecycle: LifecycleState())
        // The record exists before any backend object, so `prune` never mistakes a starting session for an orphan.
        try await store.create(record, bundle: bundle.canonicalText)

        do {
            let handle = try await backend.provision(plan, events: events)
            record.handle = handle
            record.containers = plan.members.map { LocalSession.ContainerInfo(name: $0.name, ports: handle.ports[$0.name] ?? []) }
            try await store.save(record)
            try await runEnvironmentSetup(workshop, record: record, events: events)
            // The learner enters the first step: its setup and those of the challenges that start with it.
            if options.entersFirstStep {
                try await SessionLifecycle(backend: backend, store: store).settle(id, workshop: workshop, events: events)
            }
            record = try await store.update(id) { stored in
                stored.status = .ready
                stored.startingProcess = nil
            }
            events(.ready(record))
            return record
        } catch var error {
            if var failure = error as? SetupFailure {
                failure.whileStarting = true
                error = failure
            }
            if var failure = error as? SetupFailure, options.keepOnFailure {
                // An update, not a save: the record holds the lifecycle's progress made before the failure.
                _ = try? await store.update(id) { stored in
                    stored.status = .failed
                    stored.startingProcess = nil
                }
                failure.keptSession = id
                throw failure
            }
            // Tear down outside the (possibly cancelled) task, so the backend's calls still go out.
            let cleanup = Task.detached { [self] in await self.remove(sessionID: id, events: events) }
            let problems = await cleanup.value
            if !problems.isEmpty {
                // The backend is gone (stopped mid-`up`): forget the session locally, so its objects count as
                // orphans that `prune` removes once the backend is back.
                try? await store.remove(id)
                throw IncompleteCleanup(cause: error, session: id, problems: problems)
            }
            throw error
        }
    }

    private func runEnvironmentSetup(_ workshop: Workshop, record: LocalSession, events: @escaping @Sendable (SessionEvent) -> Void) async throws {
        let lifecycle = SessionLifecycle(backend: backend, store: store)
        // The containers' own files first: the environment's setup may use them.
        for container in workshop.environment.containers where !container.files.isEmpty {
            try await lifecycle.copyFiles(container.files, record: record, events: events)
            try await store.update(record.id) { stored in
                stored.lifecycle?.ran.append(LifecycleRun(scope: .container, id: container.name, stage: .setup, script: false,
                                                          files: container.files.count))
            }
        }
        for script in workshop.environment.setup {
            try await lifecycle.runLifecycleScript(script, record: record, workshop: workshop, events: events)
            try await store.update(record.id) { stored in
                stored.lifecycle?.ran.append(LifecycleRun(scope: .environment, id: script.displayName, stage: .setup, script: true))
            }
        }
    }

    /// Removes every backend object of the session and its local state. Errors are collected, not thrown, so
    /// one stuck object never keeps the rest alive; they are returned for reporting.
    @discardableResult
    public func remove(sessionID id: String, events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async -> [String] {
        var problems = await backend.teardown(id, events: events)
        if problems.isEmpty {
            do { try await store.remove(id) } catch { problems.append("\(store.location(of: id)): \(error)") }
        }
        return problems
    }
}

/// The session's time ran out while it was being started (its containers stop at the expiry).
public struct ExpiredBeforeReady: Error, Sendable, CustomStringConvertible {
    public var session: SpecDuration
    public var description: String {
        "the session expired before it was ready: starting it took longer than its time (\(session)); "
            + "the backend's machine may be overloaded, or the workshop's limits.session too short"
    }
}

/// `up` failed and could not remove what it had created (usually: the backend stopped answering).
public struct IncompleteCleanup: Error, Sendable, CustomStringConvertible {
    public var cause: any Error
    public var session: String
    public var problems: [String]

    public var description: String {
        "\(cause)\nsession \(session) could not be removed; once the backend answers again, `nalabo prune` removes what is left"
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
