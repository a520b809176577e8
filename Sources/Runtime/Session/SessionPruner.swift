import Foundation

/// Finds and removes sessions nobody will use again: expired ones, orphaned ones (engine objects whose state
/// file is gone: a crashed `up`, a deleted state directory, a daemon restarted mid-`up`), and local records whose
/// engine objects have all disappeared. Works from the engine's labels, so it is safe to run from cron.
public struct SessionPruner: Sendable {
    public let provisioner: SessionProvisioner

    public init(provisioner: SessionProvisioner) { self.provisioner = provisioner }

    public struct Pruned: Sendable, Codable, Equatable {
        public enum Reason: String, Sendable, Codable {
            case expired, orphaned
            /// A local record with nothing left on the engine.
            case stale
        }
        public var session: String
        public var reason: Reason
        public var objects: [String]
        public var problems: [String]
    }

    /// What would be removed; with `dryRun` false, removes it. `workshop` (a slug) limits pruning to the
    /// sessions of one workshop.
    public func prune(now: Date = Date(), dryRun: Bool = false, workshop: String? = nil) async throws -> [Pruned] {
        let engine = provisioner.engine
        let store = provisioner.store
        let containers = try await engine.containers(labelled: SessionBlueprint.Label.session)
        let networks = try await engine.networks(labelled: SessionBlueprint.Label.session)
        var labelsBySession: [String: [String: String]] = [:]
        var objectsBySession: [String: [String]] = [:]
        for container in containers {
            guard let id = container.labels[SessionBlueprint.Label.session] else { continue }
            labelsBySession[id] = labelsBySession[id] ?? container.labels
            objectsBySession[id, default: []].append("container \(container.name)")
        }
        for network in networks {
            guard let id = network.labels[SessionBlueprint.Label.session] else { continue }
            labelsBySession[id] = labelsBySession[id] ?? network.labels
            objectsBySession[id, default: []].append("network \(network.name)")
        }

        var pruned: [Pruned] = []
        let local = store.all().sessions
        let localIDs = Set(local.map(\.id))
        func inScope(_ workshopLabel: String?) -> Bool {
            guard let workshop else { return true }
            return workshopLabel?.hasPrefix(workshop + "@") ?? false
        }
        for (id, labels) in labelsBySession.sorted(by: { $0.key < $1.key }) where inScope(labels[SessionBlueprint.Label.workshop]) {
            let expired = labels[SessionBlueprint.Label.expiresAt].flatMap(Self.parseTimestamp).map { $0 <= now } ?? false
            let stateFile = labels[SessionBlueprint.Label.stateFile]
            let crashed = local.first { $0.id == id }.map(Self.crashedWhileStarting) ?? false
            // Another machine's sessions (CI runners sharing an engine) are judged by that machine, not by a
            // state file that cannot exist here.
            let here = labels[SessionBlueprint.Label.host].map { $0 == SessionBlueprint.hostName } ?? true
            let orphaned = crashed || here && !localIDs.contains(id) && (stateFile.map(Self.isMissing) ?? true)
            guard expired || orphaned else { continue }
            pruned.append(Pruned(session: id, reason: expired ? .expired : .orphaned, objects: objectsBySession[id] ?? [], problems: []))
        }
        // Only records of this engine: another engine's sessions have no labels here.
        for record in local where labelsBySession[record.id] == nil && record.endpoint == engine.endpoint.description
            && (record.status != .starting || record.isExpired(at: now) || Self.crashedWhileStarting(record))
            && inScope("\(record.workshop.slug)@\(record.workshop.version)") {
            pruned.append(Pruned(session: record.id, reason: record.isExpired(at: now) ? .expired : .stale, objects: ["state \(store.recordPath(record.id))"], problems: []))
        }
        guard !dryRun else { return pruned }
        for index in pruned.indices {
            pruned[index].problems = await provisioner.remove(sessionID: pruned[index].session)
        }
        return pruned
    }

    /// Whether a state file is known to be gone. A file that cannot be looked at (another user's 0700 state
    /// directory on a shared engine) is not: only "no such file" counts.
    static func isMissing(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) != 0 && (errno == ENOENT || errno == ENOTDIR)
    }

    /// A session still `starting` whose `up` process no longer runs on this machine.
    static func crashedWhileStarting(_ record: LocalSession) -> Bool {
        guard record.status == .starting, let process = record.startingProcess else { return false }
        return kill(process, 0) != 0 && errno == ESRCH
    }

    static func parseTimestamp(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }
}
