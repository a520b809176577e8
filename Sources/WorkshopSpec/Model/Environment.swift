/// The containers of a learner's session, their network, and the scripts that prepare them.
public struct Environment: Sendable {
    @Located public var network: NetworkMode
    public var containers: [Container]
    public var setup: [Script]
}

/// How a session's containers reach the network.
public enum NetworkMode: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Only the loopback interface.
    case none
    /// The session's containers reach each other by name and nothing else.
    case isolated
    /// The session's containers also reach the internet.
    case internet

    public static func < (lhs: NetworkMode, rhs: NetworkMode) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One container of a session.
public struct Container: Sendable {
    @Located public var name: String
    @Located public var image: String
    public var shell: String
    public var workdir: String?
    public var user: String?
    public var env: [EnvironmentVariable]
    public var ports: [Located<Int>]
    public var resources: Resources
    /// Capabilities granted on top of the ones every container keeps (``Capability/granted``), from
    /// ``Capability/grantable`` only.
    public var capabilities: [Located<String>] = []
    /// Environment variables whose values are secrets, given when a session starts (never in the spec, the
    /// bundle or the catalogue).
    public var secrets: [Located<String>] = []
    /// Files copied into it when it starts, before the environment's setup.
    public var files: [FileCopy] = []
    /// Where the container's mapping starts.
    public var location: SourceLocation

    /// The parsed image reference; nil only when the spec had errors.
    public var imageReference: ImageReference? { ImageReference(image) }
}

/// Linux capabilities of a container's root processes.
public enum Capability {
    /// What every container keeps after dropping all: change owners and modes of files it does not own, switch
    /// user (`su`, `runuser`), signal processes, bind ports below 1024.
    public static let granted = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "NET_BIND_SERVICE"]

    /// What a workshop may add with `capabilities:`: the rest of Docker's default set that Kubernetes' `baseline`
    /// Pod Security level also allows (so a workshop runs the same on both). Never SYS_ADMIN, NET_ADMIN,
    /// SYS_PTRACE, SYS_MODULE and the like, nor NET_RAW (raw sockets; `baseline` forbids it).
    public static let extra = ["SYS_CHROOT", "AUDIT_WRITE", "MKNOD", "SETFCAP", "SETPCAP"]

    /// Every name `capabilities:` accepts (the granted ones are accepted and change nothing).
    public static let grantable = granted + extra
}

/// An environment variable, kept in the order written.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String
}

/// The limits of one container; absent values take the free plan's maxima.
public struct Resources: Sendable {
    @Located public var cpus: Double
    @Located public var memory: ByteCount
    @Located public var pids: Int
    /// The most the container may write to its filesystem, where it was written; absent, the free plan's
    /// maximum applies at run time (and the bundle leaves it out, so older bundles keep their digests).
    public var disk: Located<ByteCount>?

    /// The disk limit in force: the written value, or the free plan's maximum.
    public var diskLimit: ByteCount { disk?.wrappedValue ?? Plan.free.maxDisk }
}
