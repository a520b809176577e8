import Foundation

/// The Docker Engine operations the Docker backend is built from (``DockerEngine`` implements them over the
/// Engine API). Below the seam: nothing above ``SessionBackend`` uses it. Every method throws ``EngineError``.
public protocol ContainerEngine: Sendable {
    /// Where the engine listens, as a user would write it (`unix:///var/run/docker.sock`).
    var endpoint: EngineEndpoint { get }

    /// Checks that the engine answers and returns what it is.
    func info() async throws -> EngineInfo

    /// Whether an image is present locally.
    func imageExists(_ reference: String) async throws -> Bool
    /// Pulls an image, reporting progress; throws ``EngineError/imageUnavailable`` with the registry's words.
    func pullImage(_ reference: String, progress: @escaping @Sendable (PullEvent) -> Void) async throws

    /// Creates a network and returns its id.
    func createNetwork(_ spec: NetworkSpec) async throws -> String
    /// Connects a created container to a further network.
    func connect(container: String, toNetwork network: String, aliases: [String]) async throws
    /// Removes a network; a missing one is not an error.
    func removeNetwork(_ idOrName: String) async throws

    /// Creates a container and returns its id.
    func createContainer(_ spec: ContainerSpec) async throws -> String
    func startContainer(_ id: String) async throws
    func inspectContainer(_ id: String) async throws -> ContainerState
    /// Removes a container and its anonymous volumes, killing it if it runs; a missing one is not an error.
    func removeContainer(_ id: String) async throws

    /// A named volume's labels, nil when there is no such volume; creates one (an existing one is kept as it
    /// is, with its own labels); removes one.
    func volumeLabels(_ name: String) async throws -> [String: String]?
    func createVolume(_ name: String, labels: [String: String]) async throws
    func removeVolume(_ name: String) async throws
    /// Writes files into a created container (started or not), below `directory`; into a volume mounted
    /// there, if one is.
    func copyFiles(_ files: [ContainerFile], into container: String, at directory: String) async throws
    /// Unpacks a tar archive (plain or compressed) into an existing directory of a container; a file never
    /// replaces a directory there, nor a directory a file.
    func putArchive(_ archive: [UInt8], into container: String, at directory: String) async throws

    /// Makes sure containers on networks with a host address cannot reach the host's own services, where it
    /// can; says why not otherwise.
    func protectHost() async -> HostFirewall.Status

    /// Runs a command in a running container and collects its output and exit code.
    func exec(_ request: ExecRequest) async throws -> ExecOutput

    /// Containers and networks that carry a label (`key` or `key=value`).
    func containers(labelled label: String) async throws -> [ContainerSummary]
    func networks(labelled label: String) async throws -> [NetworkSummary]
}

/// The engine's identity after a successful ping.
public struct EngineInfo: Sendable, Codable, Equatable {
    public var product: String
    public var serverVersion: String
    public var apiVersion: String
    public var operatingSystem: String
    public var cgroupVersion: String?
    /// The storage driver (`overlay2`, `vfs`, ...) and the filesystem under it (`xfs`, `extfs`, ...).
    public var storageDriver: String? = nil
    public var backingFilesystem: String? = nil

    /// Whether the engine can cap a container's writable layer: overlay2 on xfs (mounted with project
    /// quotas, which only creating a limited container proves), or the btrfs driver (with quotas enabled).
    public var canLimitDisk: Bool { (storageDriver == "overlay2" && backingFilesystem == "xfs") || storageDriver == "btrfs" }
}

/// A network to create.
public struct NetworkSpec: Sendable, Equatable {
    public var name: String
    /// No route out: members reach each other and nothing else.
    public var isInternal: Bool
    public var labels: [String: String]
    /// The host's interface for the network (a Linux bridge), so a firewall rule can name every session's
    /// at once (``DockerLayout/bridgePrefix``); nil for the engine's choice.
    public var bridgeName: String? = nil
    /// Whether the host has an address on the network. Without one, nothing on the network can reach the
    /// host's own services, through any of its addresses; a network with a route out needs one.
    public var hostAddress = true
}

/// A container to create; ``DockerLayout`` builds these from a session plan.
public struct ContainerSpec: Sendable, Equatable {
    public var name: String
    public var image: String
    public var hostname: String
    public var command: [String]
    public var user: String?
    public var workdir: String?
    public var env: [String]
    public var labels: [String: String]
    /// `none`, or the name of the network to join first (with `aliases` there).
    public var network: String
    public var aliases: [String]
    /// Container ports (TCP) published on 127.0.0.1 with ephemeral host ports.
    public var ports: [Int]
    public var limits: ContainerLimits
    public var capabilities: [String]
    public var readOnlyRootFilesystem: Bool
    /// Upstream DNS servers for the engine's embedded resolver; empty for the engine's default.
    public var dnsServers: [String] = []
    /// Extra `/etc/hosts` lines, as `NAME:ADDRESS`.
    public var extraHosts: [String] = []
    /// Engine volumes mounted into the container (nalabo-init's, read-only).
    public var volumes: [VolumeMount] = []
    /// Whether the engine's own init runs as PID 1 (false when `command` starts with an init of nalabo's).
    public var engineInit = true
}

/// A named engine volume mounted into a container; never a path of the host.
public struct VolumeMount: Sendable, Equatable {
    public var volume: String
    public var target: String
    public var readOnly: Bool
}


/// A container's state, as far as a session cares.
public struct ContainerState: Sendable, Equatable {
    public var id: String
    public var name: String
    public var running: Bool
    public var status: String
    public var exitCode: Int
    public var oomKilled: Bool
    /// Published TCP ports: container port → host address and port.
    public var ports: [Int: PublishedPort]
    /// The container's address on each network it joined.
    public var addresses: [String: String]
    public var labels: [String: String]
}

public struct ContainerSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var state: String
    public var labels: [String: String]
}

public struct NetworkSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var labels: [String: String]
}

/// A command to run in a container, without a terminal.
public struct ExecRequest: Sendable {
    public var container: String
    public var command: [String]
    public var user: String?
    public var workdir: String?
    public var env: [String]
    /// How long to wait for the command once it has started (not counting the engine's time to create and
    /// start it); the command itself is limited inside the container.
    public var timeLimit: Duration?
    /// Bytes kept of each stream; the rest is counted and dropped.
    public var outputLimit: Int

    public init(container: String, command: [String], user: String? = nil, workdir: String? = nil,
                env: [String] = [], timeLimit: Duration? = nil, outputLimit: Int = 64 * 1024) {
        self.container = container
        self.command = command
        self.user = user
        self.workdir = workdir
        self.env = env
        self.timeLimit = timeLimit
        self.outputLimit = outputLimit
    }
}



