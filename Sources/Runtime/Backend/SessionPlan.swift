import Foundation
import WorkshopSpec

/// A session as every backend must realise it, derived from the workshop alone: members, their limits and
/// capabilities, the network mode, expiry and the metadata that finds the session again. Pure, so every
/// decision is unit-tested without a backend; each backend turns it into its own layout (Docker: networks, a
/// keep-alive, a port gateway; Kubernetes: a namespace, Pods, policies).
public struct SessionPlan: Sendable {
    /// One container of the session.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var image: String
        /// The member's host name, which the other members also reach it by.
        public var hostname: String
        public var user: String?
        public var workdir: String?
        public var env: [String]
        /// The values of the member's `secrets:`, by name: part of its environment, kept apart so that a backend
        /// can hold them as secrets (Kubernetes: a Secret object, not the Pod's spec).
        public var secrets: [String: String] = [:]
        /// Container ports (TCP) the learner reaches from the backend's host, on 127.0.0.1.
        public var ports: [Int]
        public var limits: ContainerLimits
        /// Capabilities kept after dropping all.
        public var capabilities: [String]
        /// The spec's shell for scripts without a shebang.
        public var shell: String

        /// Whether the member's user is root (unset, `root`, `0`, with or without a group).
        public var runsAsRoot: Bool {
            guard let user else { return true }
            let name = user.split(separator: ":", maxSplits: 1).first.map(String.init) ?? user
            return name == "root" || name == "0"
        }
    }

    /// The users, other than the member's own, that scripts ask for in `member`: a backend must be able to switch
    /// to them there (each does so by running the member as root). Files copied into it (`files:`) are written
    /// by root, so they count as root's.
    public func otherScriptUsers(in member: Member) -> Set<String> {
        let copiesFiles = workshop.fileCopies.contains { $0.container == member.name }
        return Set(workshop.scripts.filter { $0.container == member.name }.compactMap(\.user) + (copiesFiles ? ["0"] : []))
            .subtracting(member.user.map { [$0] } ?? [])
    }

    /// The capabilities a learner's root shell keeps after dropping all (``Capability/granted``); a container's
    /// `capabilities:` adds to them.
    public static let capabilities = Capability.granted

    public let sessionID: String
    public let workshop: Workshop
    public let metadata: SessionMetadata
    /// The members; each one's disk cap (``ContainerLimits/diskBytes``) is applied where the backend can, and a
    /// backend that cannot says so with ``SessionEvent/notEnforced(_:reason:)``.
    public let members: [Member]
    /// When the session ends, whatever the learner does.
    public let expiresAt: Date

    public var network: NetworkMode { workshop.environment.network }

    /// - Parameter secrets: the values of the containers' `secrets:` (``SecretSource``), added to their environment.
    public init(sessionID: String, workshop: Workshop, expiresAt: Date, stateFile: String, origin: String, secrets: [String: String] = [:]) {
        self.sessionID = sessionID
        self.workshop = workshop
        self.expiresAt = expiresAt
        metadata = SessionMetadata(session: sessionID, workshop: workshop.metadata.slug, version: workshop.metadata.version,
                                   expiresAt: expiresAt, stateFile: stateFile, host: SessionMetadata.hostName, origin: origin)
        members = workshop.environment.containers.map { container in
            Member(name: container.name, image: container.image, hostname: container.name, user: container.user,
                   workdir: container.workdir, env: container.env.map { "\($0.name)=\($0.value)" },
                   secrets: Dictionary(container.secrets.compactMap { name in secrets[name.value].map { (name.value, $0) } }) { first, _ in first },
                   ports: container.ports.map(\.wrappedValue), limits: Self.limits(container.resources),
                   capabilities: Self.capabilities + container.capabilities.map(\.value).filter { !Self.capabilities.contains($0) },
                   shell: container.shell)
        }
    }

    /// The limits of a member; the disk cap is the spec's, or the free plan's when the spec gives none.
    static func limits(_ resources: Resources) -> ContainerLimits {
        ContainerLimits(memoryBytes: resources.memory.bytes, nanoCPUs: Int64((resources.cpus * 1e9).rounded()), pids: resources.pids,
                        diskBytes: resources.diskLimit.bytes)
    }

    /// Every image the session's members need, without repeats, in order.
    public var images: [String] {
        var seen = Set<String>()
        return members.map(\.image).filter { seen.insert($0).inserted }
    }

    public func member(_ name: String) -> Member? { members.first { $0.name == name } }
}

/// What identifies a session on a backend, written as labels or annotations on its objects so `prune` and
/// `down --all` find it without any local state.
public struct SessionMetadata: Sendable, Equatable {
    public var session: String
    public var workshop: String?
    public var version: String?
    public var expiresAt: Date?
    /// The state file that describes the session; `prune` treats objects whose file is gone as orphaned.
    public var stateFile: String?
    /// The machine whose state directory holds that file: only `prune` on that machine judges it.
    public var host: String?
    /// Where the workshop came from (a path or a catalogue address).
    public var origin: String?

    public init(session: String, workshop: String? = nil, version: String? = nil, expiresAt: Date? = nil, stateFile: String? = nil,
                host: String? = nil, origin: String? = nil) {
        self.session = session
        self.workshop = workshop
        self.version = version
        self.expiresAt = expiresAt
        self.stateFile = stateFile
        self.host = host
        self.origin = origin
    }

    /// This machine's name, as `uname -n` says it (gethostname: no name lookup that could wait on DNS).
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// A time as labels carry it: ISO 8601, seconds, UTC (`2026-12-02T10:00:00Z`).
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    public static func parseTimestamp(_ text: String) -> Date? { try? Date(text, strategy: .iso8601) }
}
