import Foundation

/// Finds and removes sessions nobody will use again: expired ones, orphaned ones (backend objects whose state
/// file is gone: a crashed `up`, a deleted state directory, a daemon restarted mid-`up`), and local records whose
/// backend objects have all disappeared. Works from the backend's labels, so it is safe to run from cron.
public struct SessionPruner: Sendable {
    public let provisioner: SessionProvisioner

    public init(provisioner: SessionProvisioner) { self.provisioner = provisioner }

    public struct Pruned: Sendable, Codable, Equatable {
        public enum Reason: String, Sendable, Codable {
            case expired, orphaned
            /// A local record with nothing left on the backend.
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
        let backend = provisioner.backend
        let store = provisioner.store
        let found = Dictionary(try await backend.sessions().map { ($0.id, $0) }) { first, _ in first }

        var pruned: [Pruned] = []
        let local = await store.all().sessions
        let localIDs = Set(local.map(\.id))
        func inScope(_ slug: String?) -> Bool {
            guard let workshop else { return true }
            return slug == workshop
        }
        for (id, session) in found.sorted(by: { $0.key < $1.key }) where inScope(session.metadata.workshop) {
            let metadata = session.metadata
            let expired = metadata.expiresAt.map { $0 <= now } ?? false
            let crashed = local.first { $0.id == id }.map(Self.crashedWhileStarting) ?? false
            // Another machine's sessions (CI runners sharing an engine or a cluster) are judged by that machine,
            // not by a state file that cannot exist here.
            let here = metadata.host.map { $0 == SessionMetadata.hostName } ?? true
            let orphaned = crashed || here && !localIDs.contains(id) && (metadata.stateFile.map(Self.isMissing) ?? true)
            guard expired || orphaned else { continue }
            pruned.append(Pruned(session: id, reason: expired ? .expired : .orphaned, objects: session.objects, problems: []))
        }
        // Only records of this backend: another backend's sessions are not listed here.
        for record in local where found[record.id] == nil && record.backend == backend.locator
            && (record.status != .starting || record.isExpired(at: now) || Self.crashedWhileStarting(record))
            && inScope(record.workshop.slug) {
            pruned.append(Pruned(session: record.id, reason: record.isExpired(at: now) ? .expired : .stale, objects: ["state \(store.location(of: record.id))"], problems: []))
        }
        guard !dryRun else { return pruned }
        for index in pruned.indices {
            pruned[index].problems = await provisioner.remove(sessionID: pruned[index].session)
        }
        return pruned
    }

    /// Whether a state file is known to be gone. A file that cannot be looked at (another user's 0700 state
    /// directory on a shared engine) is not: only "no such file" counts. A location that is not a path (a
    /// portal's record in the catalogue) is never missing here: that portal judges its own sessions.
    static func isMissing(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        var info = stat()
        return stat(path, &info) != 0 && (errno == ENOENT || errno == ENOTDIR)
    }

    /// A session still `starting` whose `up` process no longer runs on this machine.
    static func crashedWhileStarting(_ record: LocalSession) -> Bool {
        guard record.status == .starting, let process = record.startingProcess else { return false }
        return kill(process, 0) != 0 && errno == ESRCH
    }

}
