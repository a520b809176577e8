import Foundation

/// Everything nalabo remembers about a learner's session, kept in the local state directory.
public struct LocalSession: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// `up` is creating it.
        case starting
        case ready
        /// Setup failed and `--keep-on-failure` kept it for inspection.
        case failed
    }

    public struct WorkshopInfo: Sendable, Codable, Equatable {
        public var slug: String
        public var version: String
        public var title: String
        /// The canonical bundle's digest; the bundle itself is stored beside the record.
        public var digest: String
        /// Where it came from: a directory or file path, or a catalogue address.
        public var source: String
    }

    public struct ContainerInfo: Sendable, Codable, Equatable {
        /// The name in the spec.
        public var name: String
        /// Container port → where it is served on this machine.
        public var ports: [PortInfo]

        public init(name: String, ports: [PortInfo]) {
            self.name = name
            self.ports = ports
        }
    }

    /// A container port and where it is served on this machine (with its `url` in JSON).
    public typealias PortInfo = PublishedPort

    public var id: String
    public var status: Status
    public var createdAt: Date
    public var expiresAt: Date
    public var workshop: WorkshopInfo
    /// The backend it runs on (`docker unix:///var/run/docker.sock`).
    public var backend: BackendLocator
    /// What the backend needs to reach the session again; nil until it is provisioned.
    public var handle: SessionHandle?
    public var containers: [ContainerInfo]
    public var progress: [String: ChallengeProgress]
    /// The catalogue's session id, when the workshop came from the catalogue and progress is recorded there.
    public var catalogueSession: String?
    /// The process running `up` while the session is `starting`, so `prune` can tell a crashed `up` from a
    /// running one.
    public var startingProcess: Int32? = nil
    /// Where the learner is and which lifecycle scripts ran; nil for a session started by a nalabo from before
    /// the lifecycle (which set every challenge up at the start: all of them count as started).
    public var lifecycle: LifecycleState? = nil

    public func isExpired(at now: Date = Date()) -> Bool { now >= expiresAt }

    public func container(_ name: String) -> ContainerInfo? { containers.first { $0.name == name } }
}

/// A learner's progress on one challenge.
public struct ChallengeProgress: Sendable, Codable, Equatable {
    public var attempts: Int = 0
    public var failedAttempts: Int = 0
    public var completedAt: Date?
    public var points: Int = 0
    /// Solved with `nalabo solve`: complete for `needs`; it keeps only the points its checks earned before.
    public var skipped: Bool = false
    public var lastAttemptAt: Date?
    public var lastResults: [CheckResult] = []
    /// When the challenge started (its setup ran): its step was entered and its needs were complete.
    public var startedAt: Date?
    /// When its cleanup ran, after it was completed.
    public var cleanedUpAt: Date?

    public init() {}

    public var isComplete: Bool { completedAt != nil }
}

extension LocalSession {
    /// A record written by nalabo before session backends (Docker ids in the record), read into today's form
    /// so a session started before an upgrade can still be graded and removed.
    struct Legacy: Decodable {
        struct Container: Decodable {
            var name: String
            var engineID: String?
            var ports: [PortInfo]
        }
        var id: String
        var status: Status
        var createdAt: Date
        var expiresAt: Date
        var workshop: WorkshopInfo
        var endpoint: String
        var containers: [Container]
        var gatewayID: String?
        var progress: [String: ChallengeProgress]
        var catalogueSession: String?
        var startingProcess: Int32?
        var apiVersion: String?

        var current: LocalSession {
            let locator = BackendLocator(kind: .docker, address: endpoint)
            var state = ["apiVersion": apiVersion ?? ""]
            state["gateway"] = gatewayID
            let members = Dictionary(containers.compactMap { container in container.engineID.map { (container.name, $0) } }) { first, _ in first }
            return LocalSession(id: id, status: status, createdAt: createdAt, expiresAt: expiresAt, workshop: workshop, backend: locator,
                                handle: SessionHandle(locator: locator, session: id, members: members, state: state),
                                containers: containers.map { ContainerInfo(name: $0.name, ports: $0.ports) },
                                progress: progress, catalogueSession: catalogueSession, startingProcess: startingProcess)
        }
    }
}
