import Foundation
import WorkshopSpec

/// The Docker objects of one session, derived from its ``SessionPlan``: the one place that decides how a
/// learner container is isolated and limited on Docker (networks, keep-alive, DNS, the port gateway of
/// isolated sessions, labels). Pure, so every flag is unit-tested without an engine.
public struct DockerLayout: Sendable {
    /// Label keys carried by every object nalabo creates on Docker, so nothing is ever orphaned.
    public enum Label {
        public static let session = "dev.nalabo.session"
        public static let workshop = "dev.nalabo.workshop"
        public static let expiresAt = "dev.nalabo.expires-at"
        public static let container = "dev.nalabo.container"
        public static let role = "dev.nalabo.role"
        public static let stateFile = "dev.nalabo.state-file"
        public static let host = "dev.nalabo.host"
        public static let origin = "dev.nalabo.origin"
        /// On nalabo-init's marker volume: the volume that holds the program, complete.
        public static let initVolume = "dev.nalabo.init-volume"
    }

    /// Keeps a learner container alive until the session's time is up, when nalabo-init is missing: then the
    /// engine's init (`Init: true`) reaps orphans, and the learner can stop this process (`up` says so).
    static func keepAlive(expiresAt: Date) -> [String] {
        ["/bin/sh", "-c", EmbeddedScripts.keepAlive, "nalabo-keep-alive", String(Int(expiresAt.timeIntervalSince1970.rounded(.up)))]
    }

    /// The image of the port gateway of an isolated session (busybox: `nc` relays each port).
    public static let defaultGatewayImage = "busybox:stable"

    public let plan: SessionPlan
    public let gatewayImage: String
    /// The engine volume that holds nalabo-init, PID 1 of every learner container (it ends the container at
    /// the expiry); nil when the program is missing.
    public var initVolume: String?
    /// Whether the engine can cap each container's writable layer (``EngineInfo/canLimitDisk``).
    public let limitsDisk: Bool

    public init(plan: SessionPlan, gatewayImage: String = DockerLayout.defaultGatewayImage, initVolume: String? = nil,
                limitsDisk: Bool = false) {
        self.plan = plan
        self.gatewayImage = gatewayImage
        self.initVolume = initVolume
        self.limitsDisk = limitsDisk
    }

    public var sessionID: String { plan.sessionID }
    public var expiresAt: Date { plan.expiresAt }

    /// The first process of a learner container: nalabo-init until the expiry (it cannot be stopped from
    /// inside), else the shell keep-alive.
    var learnerCommand: [String] {
        initVolume == nil ? Self.keepAlive(expiresAt: expiresAt)
            : [InitProgram.path, String(Int(expiresAt.timeIntervalSince1970.rounded(.up)))]
    }

    public var labels: [String: String] { Self.labels(plan.metadata) }

    /// The labels that carry a session's metadata.
    static func labels(_ metadata: SessionMetadata) -> [String: String] {
        var labels = [Label.session: metadata.session, Label.host: metadata.host ?? SessionMetadata.hostName]
        if let workshop = metadata.workshop { labels[Label.workshop] = workshop + (metadata.version.map { "@" + $0 } ?? "") }
        if let expiresAt = metadata.expiresAt { labels[Label.expiresAt] = SessionMetadata.timestamp(expiresAt) }
        if let stateFile = metadata.stateFile { labels[Label.stateFile] = stateFile }
        if let origin = metadata.origin { labels[Label.origin] = origin }
        return labels
    }

    /// A session's metadata read back from an object's labels.
    static func metadata(_ labels: [String: String]) -> SessionMetadata? {
        guard let session = labels[Label.session] else { return nil }
        let workshop = labels[Label.workshop].map { $0.split(separator: "@", maxSplits: 1).map(String.init) }
        return SessionMetadata(session: session, workshop: workshop?.first, version: workshop.flatMap { $0.count > 1 ? $0[1] : nil },
                               expiresAt: labels[Label.expiresAt].flatMap(SessionMetadata.parseTimestamp),
                               stateFile: labels[Label.stateFile], host: labels[Label.host], origin: labels[Label.origin])
    }

    /// The prefix of every session bridge's interface name on the host (`nlb` and the session id, `p` for a
    /// port gateway's): one firewall rule, `iptables -I INPUT -i nlb+ ...`, covers every session.
    public static let bridgePrefix = "nlb"

    /// The session's network, none for `network: none`. An isolated network's bridge has no host address, so
    /// its containers cannot reach the host at all; an internet network needs one (its route out), and the
    /// host's firewall keeps its members from the host's services (``HostFirewall``).
    public var network: NetworkSpec? {
        switch plan.network {
        case .none: nil
        case .isolated: NetworkSpec(name: "nalabo-\(sessionID)", isInternal: true, labels: labels,
                                    bridgeName: Self.bridgePrefix + sessionID, hostAddress: false)
        case .internet: NetworkSpec(name: "nalabo-\(sessionID)", isInternal: false, labels: labels,
                                    bridgeName: Self.bridgePrefix + sessionID, hostAddress: true)
        }
    }

    /// Whether the session needs a gateway to serve ports: Docker publishes no ports from an internal network.
    public var needsPortGateway: Bool {
        plan.network == .isolated && plan.members.contains { !$0.ports.isEmpty }
    }

    /// The network between the gateway and the host, for an isolated session with ports.
    public var gatewayNetwork: NetworkSpec? {
        guard needsPortGateway else { return nil }
        return NetworkSpec(name: "nalabo-\(sessionID)-ports", isInternal: false, labels: labels,
                           bridgeName: Self.bridgePrefix + sessionID + "p", hostAddress: true)
    }

    /// The engine name of a learner container.
    public func engineName(_ member: String) -> String { "nalabo-\(sessionID)-\(member)" }

    public var containers: [ContainerSpec] { plan.members.map(containerSpec) }

    /// The user a member's execs run as when they name none, when that is not the container's own user: Docker
    /// gives an exec run as root in a container whose user is not root no capabilities at all (CapEff 0, so a
    /// root setup script cannot even chown). A member whose user is not root but some of whose scripts run as
    /// another user therefore runs as root itself, and everything that names no user — checks, the learner's
    /// terminal — runs as the member's user. Nil for every other member (it simply runs as its user).
    public func defaultExecUser(of member: SessionPlan.Member) -> String? {
        guard let user = member.user, !member.runsAsRoot, !plan.otherScriptUsers(in: member).isEmpty else { return nil }
        return user
    }

    func containerSpec(_ member: SessionPlan.Member) -> ContainerSpec {
        var labels = labels
        labels[Label.container] = member.name
        labels[Label.role] = "learner"
        var limits = member.limits
        if !limitsDisk { limits.diskBytes = nil }
        return ContainerSpec(
            name: engineName(member.name),
            image: member.image,
            hostname: member.hostname,
            command: learnerCommand,
            user: defaultExecUser(of: member) == nil ? member.user : "0:0",
            workdir: member.workdir,
            env: member.env + member.secrets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            labels: labels,
            network: network?.name ?? "none",
            aliases: [member.name],
            // An internal network publishes nothing; the gateway serves those ports instead.
            ports: plan.network == .internet ? member.ports : [],
            limits: limits,
            capabilities: member.capabilities,
            readOnlyRootFilesystem: false,
            // The engine's resolver answers session names itself and forwards other names upstream; a loopback
            // upstream is asked from inside the container, where nothing listens, so an isolated session cannot
            // reach the outside through DNS either (Docker before 26 forwards for internal networks too).
            dnsServers: plan.network == .isolated ? ["127.0.0.1"] : [],
            // On a network the engine writes the container's own name into /etc/hosts with its address; without
            // one there is no address, so the name goes on loopback (sudo, and much else, looks itself up).
            extraHosts: plan.network == .none ? ["\(member.hostname):127.0.1.1"] : [],
            volumes: initVolume.map { [VolumeMount(volume: $0, target: InitProgram.mountPoint, readOnly: true)] } ?? [],
            engineInit: initVolume == nil
        )
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
        for member in plan.members {
            for port in member.ports {
                relays.append(Relay(container: member.name, port: port, gatewayPort: 10000 + relays.count))
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
        let relayArguments = relays.flatMap { relay in
            addresses[relay.container].map { [String(relay.gatewayPort), $0, String(relay.port)] } ?? []
        }
        return ContainerSpec(
            name: "nalabo-\(sessionID)-ports",
            image: gatewayImage,
            hostname: "ports",
            command: ["/bin/sh", "-c", EmbeddedScripts.portGateway, "nalabo-ports"] + relayArguments,
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
        var images = plan.images
        if needsPortGateway && !images.contains(gatewayImage) { images.append(gatewayImage) }
        return images
    }
}
