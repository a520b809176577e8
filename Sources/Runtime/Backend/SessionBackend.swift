import Foundation
import WorkshopSpec

/// Where sessions run: the local Docker engine or a Kubernetes cluster. Whole sessions cross this seam —
/// provision, exec in a member, a terminal, health, teardown, and listing what exists — at the level of
/// docker compose's `up`/`exec`/`down` and JupyterHub's spawner (start, poll, stop, opaque state). Everything
/// above it (setup, grading, `nalabo test`, prune, the catalogue, the portal) is written once.
///
/// Every method throws ``BackendError``, worded by the backend for the person who has to fix it.
public protocol SessionBackend: Sendable {
    /// Which backend and where (`docker unix:///var/run/docker.sock`, `kubernetes https://…`).
    var locator: BackendLocator { get }

    /// Checks that the backend answers and says what it is and what it can enforce.
    func info() async throws -> BackendInfo

    /// Creates and starts every member of a session, images first, labelling everything with the session so
    /// ``teardown(_:events:)`` finds it (the caller tears down after a failure or a cancellation). Reports what it
    /// does through `events`.
    func provision(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle

    /// Runs a command in a member and collects its output and exit code (nil at the time limit).
    func exec(_ request: MemberExec, in session: SessionHandle) async throws -> ExecOutput

    /// An interactive `command` (a shell) in a member, with a terminal of `size`; without one (plain pipes,
    /// standard output and error merged) when `size` is nil.
    func attachTerminal(member: String, command: [String], in session: SessionHandle, size: TerminalSize?) async throws -> any TerminalChannel

    /// Writes `files` into a member as root, in order: each at its target with its mode and owner, or (with
    /// ``FileCopy/extract``) an archive unpacked below its target. Missing parent directories are created.
    func copyFiles(_ files: [FileCopy], into member: String, in session: SessionHandle) async throws

    /// The state of each member, by name.
    func health(_ session: SessionHandle) async throws -> [String: MemberHealth]

    /// Removes everything of a session, found by its labels; returns what could not be removed (nothing
    /// when all went).
    func teardown(_ sessionID: String, events: @escaping @Sendable (SessionEvent) -> Void) async -> [String]

    /// Every session that has objects on the backend (found by labels), for `prune` and `down --all`.
    func sessions() async throws -> [BackendSession]

    /// The members' published ports as this machine reaches them while `body` runs (127.0.0.1 only).
    func withPublishedPorts<T: Sendable>(_ session: SessionHandle,
                                         _ body: @Sendable ([String: [PublishedPort]]) async throws -> T) async throws -> T
}

extension SessionBackend {
    public func teardown(_ sessionID: String) async -> [String] { await teardown(sessionID, events: { _ in }) }

    /// The members' published ports as this machine reaches them while `body` runs. Docker publishes them on
    /// 127.0.0.1 when the session starts (the handle's ``SessionHandle/ports``); a backend that cannot keeps a
    /// forward open for as long as `body` runs.
    public func withPublishedPorts<T: Sendable>(_ session: SessionHandle,
                                                _ body: @Sendable ([String: [PublishedPort]]) async throws -> T) async throws -> T {
        try await body(session.ports)
    }
}

/// The kinds of backend.
public enum BackendKind: String, Sendable, Codable, CaseIterable {
    case docker, kubernetes
}

/// A backend and its address, as stored with a session so later commands reach the same one.
public struct BackendLocator: Sendable, Codable, Hashable, CustomStringConvertible {
    public var kind: BackendKind
    /// The engine endpoint (`unix:///var/run/docker.sock`) or the API server (`https://10.0.0.1:6443`).
    public var address: String
    /// The kubeconfig context (Kubernetes), when one was chosen.
    public var context: String?

    public init(kind: BackendKind, address: String, context: String? = nil) {
        self.kind = kind
        self.address = address
        self.context = context
    }

    public var description: String {
        "\(kind.rawValue) \(address)" + (context.map { " (context \($0))" } ?? "")
    }
}

/// What a backend is, after a successful ping.
public struct BackendInfo: Sendable, Codable, Equatable {
    public var kind: BackendKind
    /// `Docker`, `Podman` or `Kubernetes`.
    public var product: String
    public var version: String
    /// Backend-specific facts worth showing (`apiVersion`, `storageDriver`, `nodes`, ...).
    public var details: [String: String]

    public init(kind: BackendKind, product: String, version: String, details: [String: String] = [:]) {
        self.kind = kind
        self.product = product
        self.version = version
        self.details = details
    }
}

/// A provisioned session, as the backend needs it later. Opaque above the seam: only the backend that made
/// it reads `members` and `state`. Codable, so the local session record keeps it.
public struct SessionHandle: Sendable, Codable, Equatable {
    public var locator: BackendLocator
    public var session: String
    /// Member name → the backend's object (a container id, a Pod name).
    public var members: [String: String]
    /// Published ports per member, as this machine reaches them.
    public var ports: [String: [PublishedPort]]
    /// Whatever else the backend keeps (an API version, a namespace, a gateway).
    public var state: [String: String]

    public init(locator: BackendLocator, session: String, members: [String: String], ports: [String: [PublishedPort]] = [:],
                state: [String: String] = [:]) {
        self.locator = locator
        self.session = session
        self.members = members
        self.ports = ports
        self.state = state
    }
}

/// A member's port as reached from this machine.
public struct PublishedPort: Sendable, Codable, Equatable {
    /// The port inside the member.
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

/// A command to run in a session's member, without a terminal.
public struct MemberExec: Sendable {
    public var member: String
    public var command: [String]
    public var user: String?
    public var workdir: String?
    public var env: [String]
    /// How long to wait once the command has started; the command itself is limited inside the container.
    public var timeLimit: Duration?
    /// Bytes kept of each stream; the rest is counted and dropped.
    public var outputLimit: Int

    public init(member: String, command: [String], user: String? = nil, workdir: String? = nil, env: [String] = [],
                timeLimit: Duration? = nil, outputLimit: Int = 64 * 1024) {
        self.member = member
        self.command = command
        self.user = user
        self.workdir = workdir
        self.env = env
        self.timeLimit = timeLimit
        self.outputLimit = outputLimit
    }
}

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Equatable, Codable {
    public var rows: Int
    public var columns: Int
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }
}

/// An interactive terminal in a member: bytes in, bytes out, resizes, and the exit status at the end. The
/// CLI's `shell` and the portal's WebSocket terminal both drive one.
public protocol TerminalChannel: Sendable {
    /// What the terminal prints, until the program ends (the stream then finishes).
    var output: AsyncThrowingStream<[UInt8], any Error> { get }
    /// Sends keystrokes.
    func send(_ bytes: [UInt8]) async throws
    /// Closes the input (end of file, like Ctrl-D at an empty prompt).
    func closeInput() async
    func resize(_ size: TerminalSize) async throws
    /// The program's exit status once the output has finished; nil when the backend cannot tell.
    func exitStatus() async throws -> Int?
    /// Ends the terminal (the program gets a hangup).
    func close() async
}

/// What the backend knows of a session from the objects it found (labels and annotations).
public struct BackendSession: Sendable, Equatable {
    public var id: String
    public var metadata: SessionMetadata
    /// The objects, as a person would name them (`container nalabo-1a2b-web`, `namespace nalabo-1a2b`).
    public var objects: [String]

    public init(id: String, metadata: SessionMetadata, objects: [String]) {
        self.id = id
        self.metadata = metadata
        self.objects = objects
    }
}
