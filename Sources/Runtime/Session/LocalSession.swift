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
        public var engineName: String
        public var engineID: String?
        /// Container port → where it is served on the host.
        public var ports: [PortInfo]
    }

    public struct PortInfo: Sendable, Codable, Equatable {
        public var port: Int
        public var hostIP: String
        public var hostPort: Int
        public var url: String { "http://\(hostIP):\(hostPort)/" }

        enum CodingKeys: String, CodingKey { case port, hostIP, hostPort, url }

        public init(port: Int, hostIP: String, hostPort: Int) {
            self.port = port
            self.hostIP = hostIP
            self.hostPort = hostPort
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            port = try container.decode(Int.self, forKey: .port)
            hostIP = try container.decode(String.self, forKey: .hostIP)
            hostPort = try container.decode(Int.self, forKey: .hostPort)
        }

        /// Written with its `url` too, for scripts reading `--format json`.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(port, forKey: .port)
            try container.encode(hostIP, forKey: .hostIP)
            try container.encode(hostPort, forKey: .hostPort)
            try container.encode(url, forKey: .url)
        }
    }

    public var id: String
    public var status: Status
    public var createdAt: Date
    public var expiresAt: Date
    public var workshop: WorkshopInfo
    /// The engine endpoint it runs on (`unix:///var/run/docker.sock`).
    public var endpoint: String
    public var networks: [String]
    public var containers: [ContainerInfo]
    public var gatewayID: String?
    public var progress: [String: ChallengeProgress]
    /// The catalogue's session id, when the workshop came from the catalogue and progress is recorded there.
    public var catalogueSession: String?
    /// The process running `up` while the session is `starting`, so `prune` can tell a crashed `up` from a
    /// running one.
    public var startingProcess: Int32? = nil
    /// The engine API version negotiated at `up`, so later commands need not ask again.
    public var apiVersion: String? = nil

    public func isExpired(at now: Date = Date()) -> Bool { now >= expiresAt }

    public func container(_ name: String) -> ContainerInfo? { containers.first { $0.name == name } }
}

/// A learner's progress on one challenge.
public struct ChallengeProgress: Sendable, Codable, Equatable {
    public var attempts: Int = 0
    public var failedAttempts: Int = 0
    public var completedAt: Date?
    public var points: Int = 0
    /// Solved with `nalabo solve`: complete for `needs`, scored 0.
    public var skipped: Bool = false
    public var lastAttemptAt: Date?
    public var lastResults: [CheckResult] = []

    public init() {}

    public var isComplete: Bool { completedAt != nil }
}
