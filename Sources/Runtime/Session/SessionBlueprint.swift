import Foundation
import WorkshopSpec

/// The engine objects of one session, derived from the workshop alone: the one place that decides how a
/// learner container is isolated and limited. Pure, so every flag is unit-tested without an engine.
public struct SessionBlueprint: Sendable {
    /// Label keys carried by every object nalabo creates, so nothing is ever orphaned.
    public enum Label {
        public static let session = "dev.nalabo.session"
        public static let workshop = "dev.nalabo.workshop"
        public static let expiresAt = "dev.nalabo.expires-at"
        public static let container = "dev.nalabo.container"
        public static let role = "dev.nalabo.role"
        /// The state file that describes the session; `prune` treats objects whose file is gone as orphaned.
        public static let stateFile = "dev.nalabo.state-file"
        /// The machine whose state directory holds that file: only `prune` on that machine judges it.
        public static let host = "dev.nalabo.host"
        /// On nalabo-init's marker volume: the volume that holds the program, complete.
        public static let initVolume = "dev.nalabo.init-volume"
    }

    /// The capabilities a learner's root shell keeps after `CapDrop: ALL`: change owners and modes of files
    /// it does not own, switch user (`su`, `runuser`), signal processes, and bind ports below 1024.
    /// Left out of Docker's default set: MKNOD, NET_RAW (no raw sockets, no ping), SETFCAP, SETPCAP,
    /// SYS_CHROOT and AUDIT_WRITE.
    public static let capabilities = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "NET_BIND_SERVICE"]

    /// Keeps a learner container alive until the session's time is up, when nalabo-init is missing: then the
    /// engine's init (`Init: true`) reaps orphans, and the learner can stop this process (`up` says so).
    /// The time left is computed when the container starts, from the expiry as a Unix time (the container
    /// shares the host's clock), so a slow start does not extend the session.
    static func keepAlive(expiresAt: Date) -> [String] {
        let expiry = Int(expiresAt.timeIntervalSince1970.rounded(.up))
        return ["/bin/sh", "-c", "trap 'exit 0' TERM INT; now=$(date +%s) || now=0; left=$((\(expiry) - now)); "
            + "[ $left -gt 0 ] || left=1; sleep $left & wait $!"]
    }

    /// The image of the port gateway of an isolated session (busybox: `nc` relays each port).
    public static let defaultGatewayImage = "busybox:stable"

    public let sessionID: String
    public let workshop: Workshop
    public let expiresAt: Date
    public let stateFile: String
    public let gatewayImage: String
    /// The engine volume that holds nalabo-init, PID 1 of every learner container (it ends the container at
    /// the expiry); nil when the program is missing.
    public var initVolume: String?
    /// Whether the engine can cap each container's writable layer (``EngineInfo/canLimitDisk``).
    public let limitsDisk: Bool

    public init(sessionID: String, workshop: Workshop, expiresAt: Date, stateFile: String,
                gatewayImage: String = SessionBlueprint.defaultGatewayImage, initVolume: String? = nil,
                limitsDisk: Bool = false) {
        self.sessionID = sessionID
        self.workshop = workshop
        self.expiresAt = expiresAt
        self.stateFile = stateFile
        self.gatewayImage = gatewayImage
        self.initVolume = initVolume
        self.limitsDisk = limitsDisk
    }

    /// The first process of a learner container: nalabo-init until the expiry (it cannot be stopped from
    /// inside), else the shell keep-alive.
    var learnerCommand: [String] {
        initVolume == nil ? Self.keepAlive(expiresAt: expiresAt)
            : [InitProgram.path, String(Int(expiresAt.timeIntervalSince1970.rounded(.up)))]
    }

    public var labels: [String: String] {
        [
            Label.session: sessionID,
            Label.workshop: "\(workshop.metadata.slug)@\(workshop.metadata.version)",
            Label.expiresAt: Self.timestamp(expiresAt),
            Label.stateFile: stateFile,
            Label.host: Self.hostName,
        ]
    }

    /// This machine's name, as `uname -n` says it (gethostname: no name lookup that could wait on DNS).
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// The prefix of every session bridge's interface name on the host (`nlb` and the session id, `p` for a
    /// port gateway's): one firewall rule, `iptables -I INPUT -i nlb+ ...`, covers every session.
    public static let bridgePrefix = "nlb"

    /// The session's network, none for `network: none`. An isolated network's bridge has no host address, so
    /// its containers cannot reach the host at all; an internet network needs one (its route out), and the
    /// host's firewall keeps its members from the host's services (``HostFirewall``).
    public var network: NetworkSpec? {
        switch workshop.environment.network {
        case .none: nil
        case .isolated: NetworkSpec(name: "nalabo-\(sessionID)", isInternal: true, labels: labels,
                                    bridgeName: Self.bridgePrefix + sessionID, hostAddress: false)
        case .internet: NetworkSpec(name: "nalabo-\(sessionID)", isInternal: false, labels: labels,
                                    bridgeName: Self.bridgePrefix + sessionID, hostAddress: true)
        }
    }

    /// Whether the session needs a gateway to serve ports: Docker publishes no ports from an internal network.
    public var needsPortGateway: Bool {
        workshop.environment.network == .isolated && workshop.environment.containers.contains { !$0.ports.isEmpty }
    }

    /// The network between the gateway and the host, for an isolated session with ports.
    public var gatewayNetwork: NetworkSpec? {
        guard needsPortGateway else { return nil }
        return NetworkSpec(name: "nalabo-\(sessionID)-ports", isInternal: false, labels: labels,
                           bridgeName: Self.bridgePrefix + sessionID + "p", hostAddress: true)
    }

    /// The engine name of a learner container.
    public func engineName(_ container: String) -> String { "nalabo-\(sessionID)-\(container)" }

    public var containers: [ContainerSpec] {
        workshop.environment.containers.map(containerSpec)
    }

    func containerSpec(_ container: Container) -> ContainerSpec {
        var labels = labels
        labels[Label.container] = container.name
        labels[Label.role] = "learner"
        let networkMode = workshop.environment.network
        return ContainerSpec(
            name: engineName(container.name),
            image: container.image,
            hostname: container.name,
            command: learnerCommand,
            user: container.user,
            workdir: container.workdir,
            env: container.env.map { "\($0.name)=\($0.value)" },
            labels: labels,
            network: network?.name ?? "none",
            aliases: [container.name],
            // An internal network publishes nothing; the gateway serves those ports instead.
            ports: networkMode == .internet ? container.ports.map(\.wrappedValue) : [],
            limits: Self.limits(container.resources, disk: limitsDisk),
            capabilities: Self.capabilities,
            readOnlyRootFilesystem: false,
            // The engine's resolver answers session names itself and forwards other names upstream; a loopback
            // upstream is asked from inside the container, where nothing listens, so an isolated session cannot
            // reach the outside through DNS either (Docker before 26 forwards for internal networks too).
            dnsServers: networkMode == .isolated ? ["127.0.0.1"] : [],
            volumes: initVolume.map { [VolumeMount(volume: $0, target: InitProgram.mountPoint, readOnly: true)] } ?? [],
            engineInit: initVolume == nil
        )
    }

    static func limits(_ resources: Resources, disk: Bool) -> ContainerLimits {
        ContainerLimits(memoryBytes: resources.memory.bytes, nanoCPUs: Int64((resources.cpus * 1e9).rounded()), pids: resources.pids,
                        diskBytes: disk ? resources.diskLimit.bytes : nil)
    }

    /// One relay of the gateway: a gateway port forwarding to a container's port.
    public struct Relay: Sendable, Equatable {
        public var container: String
        public var port: Int
        public var gatewayPort: Int
    }

    /// The relays an isolated session's gateway runs, one listening port per published container port.
    public var relays: [Relay] {
        guard needsPortGateway else { return [] }
        var relays: [Relay] = []
        for container in workshop.environment.containers {
            for port in container.ports {
                relays.append(Relay(container: container.name, port: port.wrappedValue, gatewayPort: 10000 + relays.count))
            }
        }
        return relays
    }

    /// The gateway container: on the host-facing network with the relays' ports published on 127.0.0.1; it is
    /// connected to the internal network afterwards. `addresses` maps container names to their internal
    /// addresses (busybox's static `nc` does not resolve names).
    public func gatewaySpec(addresses: [String: String]) -> ContainerSpec? {
        guard let gatewayNetwork else { return nil }
        var labels = labels
        labels[Label.role] = "ports"
        let script = relays.compactMap { relay in
            addresses[relay.container].map { "nc -ll -p \(relay.gatewayPort) -e nc \($0) \(relay.port) &" }
        }.joined(separator: "\n") + "\nwait"
        return ContainerSpec(
            name: "nalabo-\(sessionID)-ports",
            image: gatewayImage,
            hostname: "ports",
            command: ["/bin/sh", "-c", script],
            user: "65534:65534",
            workdir: nil,
            env: [],
            labels: labels,
            network: gatewayNetwork.name,
            aliases: [],
            ports: relays.map(\.gatewayPort),
            limits: ContainerLimits(memoryBytes: 32 << 20, nanoCPUs: 250_000_000, pids: 64),
            capabilities: [],
            readOnlyRootFilesystem: true
        )
    }

    /// Every image the session needs, learner images first, without repeats.
    public var images: [String] {
        var seen = Set<String>()
        var images = workshop.environment.containers.map(\.image)
        if needsPortGateway { images.append(gatewayImage) }
        return images.filter { seen.insert($0).inserted }
    }
}
