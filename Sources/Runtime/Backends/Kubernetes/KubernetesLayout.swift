import Foundation
import WorkshopSpec

/// The Kubernetes objects of one session, derived from its ``SessionPlan``: one namespace holding a Pod and a
/// headless Service per member, a ResourceQuota and a LimitRange from the spec's resources, NetworkPolicies
/// for the network mode, the Pod Security level on the namespace, and nalabo-init in a ConfigMap. The one
/// place that decides how a learner Pod is isolated and limited; pure, so every field is unit-tested (and
/// validated against Kubernetes' own schemas) without a cluster.
public struct KubernetesLayout: Sendable {
    /// Label and annotation keys on everything nalabo creates in a cluster.
    public enum Key {
        public static let managedBy = "app.kubernetes.io/managed-by"
        public static let session = "nalabo.dev/session"
        public static let workshop = "nalabo.dev/workshop"
        public static let member = "nalabo.dev/member"
        // Annotations: what a label value cannot hold (an `@`, a path, a time with colons).
        public static let version = "nalabo.dev/version"
        public static let expiresAt = "nalabo.dev/expires-at"
        public static let stateFile = "nalabo.dev/state-file"
        public static let host = "nalabo.dev/host"
        public static let origin = "nalabo.dev/origin"
    }

    /// The value of the `managed-by` label: every namespace carrying it is a session's.
    public static let manager = "nalabo"

    /// The ConfigMap (and volume) holding nalabo-init, PID 1 of every member.
    static let initConfigMap = "nalabo-init"

    public let plan: SessionPlan
    /// When the objects are built: the Pods' `activeDeadlineSeconds` count from here to the expiry.
    public let now: Date
    /// Whether the cluster runs Pods in user namespaces (`hostUsers: false`): then root members get one.
    public let userNamespaces: Bool

    public init(plan: SessionPlan, now: Date = Date(), userNamespaces: Bool = false) {
        self.plan = plan
        self.now = now
        self.userNamespaces = userNamespaces
    }

    /// `nalabo-<session>`.
    public var namespace: String { Self.namespace(plan.sessionID) }
    public static func namespace(_ session: String) -> String { "nalabo-\(session)" }

    // MARK: Who each member runs as

    /// How a member's processes get their user. Kubernetes' exec has no `--user`: a Pod runs as one user, and
    /// nalabo-init (`run`) switches to another one per exec, which only a root Pod can do.
    public enum Identity: Sendable, Equatable {
        /// The Pod runs as this non-root uid (and gid), and so does every exec; the Pod can be `restricted`.
        case nonRoot(uid: Int, gid: Int?)
        /// The Pod runs as root; execs without a user of their own run as `defaultUser` (nil: root, or the
        /// image's user when the Pod's user is left to the image).
        case root(defaultUser: String?, explicit: Bool)
    }

    public func identity(of member: SessionPlan.Member) -> Identity {
        let others = plan.otherScriptUsers(in: member)
        if let user = member.user, let (uid, gid) = Self.numericUser(user), uid != 0, others.isEmpty {
            return .nonRoot(uid: uid, gid: gid)
        }
        if let user = member.user, !member.runsAsRoot {
            return .root(defaultUser: user, explicit: true)
        }
        return .root(defaultUser: nil, explicit: member.user != nil || !others.isEmpty)
    }

    /// `1000` or `1000:1000`.
    static func numericUser(_ user: String) -> (uid: Int, gid: Int?)? {
        let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let uid = Int(parts[0]), uid >= 0 else { return nil }
        guard parts.count == 2 else { return (uid, nil) }
        guard let gid = Int(parts[1]), gid >= 0 else { return nil }
        return (uid, gid)
    }

    /// `restricted` when every member runs as non-root, else `baseline` (with the same capability drop as on
    /// Docker, set on each container).
    public var podSecurityLevel: String {
        plan.members.allSatisfy { if case .nonRoot = identity(of: $0) { true } else { false } } ? "restricted" : "baseline"
    }

    /// The capabilities a member's container keeps: the plan's; for a non-root member only what the
    /// `restricted` level allows (a non-root process holds no capabilities anyway).
    func capabilities(of member: SessionPlan.Member) -> [String] {
        if case .nonRoot = identity(of: member) { return member.capabilities.filter { $0 == "NET_BIND_SERVICE" } }
        return member.capabilities
    }

    // MARK: Labels

    var sessionLabels: [(String, JSONValue)] {
        [(Key.managedBy, .string(Self.manager)), (Key.session, .string(plan.sessionID)), (Key.workshop, .string(plan.workshop.metadata.slug))]
    }

    /// The annotations that carry a session's metadata.
    static func annotations(_ metadata: SessionMetadata) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        if let version = metadata.version { pairs.append((Key.version, .string(version))) }
        if let expiresAt = metadata.expiresAt { pairs.append((Key.expiresAt, .string(SessionMetadata.timestamp(expiresAt)))) }
        if let stateFile = metadata.stateFile { pairs.append((Key.stateFile, .string(stateFile))) }
        pairs.append((Key.host, .string(metadata.host ?? SessionMetadata.hostName)))
        if let origin = metadata.origin { pairs.append((Key.origin, .string(origin))) }
        return pairs
    }

    /// A session's metadata read back from its namespace's labels and annotations.
    static func metadata(labels: [String: String], annotations: [String: String]) -> SessionMetadata? {
        guard labels[Key.managedBy] == manager, let session = labels[Key.session] else { return nil }
        return SessionMetadata(session: session, workshop: labels[Key.workshop], version: annotations[Key.version],
                               expiresAt: annotations[Key.expiresAt].flatMap(SessionMetadata.parseTimestamp),
                               stateFile: annotations[Key.stateFile], host: annotations[Key.host], origin: annotations[Key.origin])
    }

    private func metadata(_ name: String, labels extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("name", .string(name)), ("namespace", .string(namespace)), ("labels", .object(sessionLabels + extra))])
    }

    // MARK: Objects

    /// The namespace, with the Pod Security level enforced (and warned and audited at the same level).
    public var namespaceObject: JSONValue {
        let level = JSONValue.string(podSecurityLevel)
        let security: [(String, JSONValue)] = ["enforce", "warn", "audit"].flatMap { mode in
            [("pod-security.kubernetes.io/\(mode)", level), ("pod-security.kubernetes.io/\(mode)-version", .string("latest"))]
        }
        return .object([
            ("apiVersion", "v1"), ("kind", "Namespace"),
            ("metadata", .object([("name", .string(namespace)), ("labels", .object(sessionLabels + security)),
                                  ("annotations", .object(Self.annotations(plan.metadata)))])),
        ])
    }

    /// nalabo-init's bytes, mounted read-only and executable at ``InitProgram/mountPoint`` in every Pod.
    public func initConfigMapObject(_ program: [UInt8]) -> JSONValue {
        .object([
            ("apiVersion", "v1"), ("kind", "ConfigMap"), ("metadata", metadata(Self.initConfigMap)),
            ("immutable", .bool(true)),
            ("binaryData", .object([("nalabo-init", .string(Data(program).base64EncodedString()))])),
        ])
    }

    /// Seconds from ``now`` to the expiry, at least one.
    var secondsLeft: Int64 { max(1, Int64(plan.expiresAt.timeIntervalSince(now).rounded(.up))) }

    /// A member's Pod: nalabo-init as PID 1 until the expiry (and `activeDeadlineSeconds` as well), no
    /// service-account token, no service links, the capability drop, seccomp `RuntimeDefault`, limits.
    public func pod(_ member: SessionPlan.Member) -> JSONValue {
        let identity = identity(of: member)
        var podSecurity: [(String, JSONValue?)] = [("seccompProfile", .object([("type", "RuntimeDefault")]))]
        switch identity {
        case .nonRoot(let uid, let gid):
            podSecurity += [("runAsNonRoot", .bool(true)), ("runAsUser", .int(Int64(uid))), ("runAsGroup", gid.map { .int(Int64($0)) })]
        case .root(_, let explicit):
            if explicit { podSecurity += [("runAsUser", .int(0)), ("runAsGroup", .int(0))] }
        }
        let container: JSONValue = .members([
            ("name", .string(member.name)),
            ("image", .string(member.image)),
            ("imagePullPolicy", "IfNotPresent"),
            ("command", .array([.string(InitProgram.path), .string(String(Int64(plan.expiresAt.timeIntervalSince1970.rounded(.up))))])),
            ("workingDir", JSONValue.string(member.workdir)),
            ("env", member.env.isEmpty && member.secrets.isEmpty ? nil : .array(member.env.map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                return .object([("name", .string(parts[0])), ("value", .string(parts.count > 1 ? parts[1] : ""))])
            } + member.secrets.keys.sorted().map { name in
                .object([("name", .string(name)), ("valueFrom", .object([("secretKeyRef", .object([
                    ("name", .string(Self.secretsObject)), ("key", .string(Self.secretKey(member: member.name, name: name))),
                ]))]))])
            })),
            ("ports", member.ports.isEmpty ? nil : .array(member.ports.map { .object([("containerPort", .int(Int64($0))), ("protocol", "TCP")]) })),
            ("resources", resources(member.limits)),
            ("securityContext", .object([
                ("allowPrivilegeEscalation", .bool(false)),
                ("privileged", .bool(false)),
                ("capabilities", .object([("drop", .array(["ALL"])), ("add", .array(capabilities(of: member).map(JSONValue.string)))])),
            ])),
            ("volumeMounts", .array([.object([("name", .string(Self.initConfigMap)), ("mountPath", .string(InitProgram.mountPoint)), ("readOnly", .bool(true))])])),
        ])
        var spec: [(String, JSONValue?)] = [
            ("hostname", .string(member.hostname)),
            ("automountServiceAccountToken", .bool(false)),
            ("enableServiceLinks", .bool(false)),
            ("restartPolicy", "Never"),
            ("activeDeadlineSeconds", .int(secondsLeft)),
            ("terminationGracePeriodSeconds", .int(5)),
            ("securityContext", .members(podSecurity)),
            ("containers", .array([container])),
            ("volumes", .array([.object([("name", .string(Self.initConfigMap)),
                                         ("configMap", .object([("name", .string(Self.initConfigMap)), ("defaultMode", .int(0o555))]))])])),
        ]
        if userNamespaces, case .root = identity { spec.append(("hostUsers", .bool(false))) }
        return .object([("apiVersion", "v1"), ("kind", "Pod"), ("metadata", metadata(member.name, labels: [(Key.member, .string(member.name))])),
                        ("spec", .members(spec))])
    }

    /// Limits as the spec gives them; requests a part of them (a room of sessions shares a node).
    func resources(_ limits: ContainerLimits) -> JSONValue {
        var limit: [(String, JSONValue)] = [("cpu", .string(Self.millicores(limits.nanoCPUs))), ("memory", .string(String(limits.memoryBytes)))]
        var request: [(String, JSONValue)] = [("cpu", .string(Self.millicores(Self.requested(cpu: limits.nanoCPUs)))),
                                              ("memory", .string(String(limits.memoryBytes / 2)))]
        if let disk = limits.diskBytes {
            limit.append(("ephemeral-storage", .string(String(disk))))
            request.append(("ephemeral-storage", .string(String(disk / 4))))
        }
        return .object([("limits", .object(limit)), ("requests", .object(request))])
    }

    /// A tenth of the CPU limit, at least 10m.
    static func requested(cpu nanoCPUs: Int64) -> Int64 { max(10_000_000, nanoCPUs / 10) }

    /// `500m` for half a CPU (at least 1m).
    static func millicores(_ nanoCPUs: Int64) -> String { "\(max(1, (nanoCPUs + 999_999) / 1_000_000))m" }

    /// A headless Service per member: its name resolves to the member's Pod through cluster DNS.
    public func service(_ member: SessionPlan.Member) -> JSONValue {
        .object([
            ("apiVersion", "v1"), ("kind", "Service"), ("metadata", metadata(member.name, labels: [(Key.member, .string(member.name))])),
            ("spec", .members([
                ("clusterIP", "None"),
                ("selector", .object([(Key.session, .string(plan.sessionID)), (Key.member, .string(member.name))])),
                ("ports", member.ports.isEmpty ? nil : .array(member.ports.map {
                    .object([("name", .string("tcp-\($0)")), ("port", .int(Int64($0))), ("targetPort", .int(Int64($0))), ("protocol", "TCP")])
                })),
                ("publishNotReadyAddresses", .bool(true)),
            ])),
        ])
    }

    /// The namespace's ceiling: the sum of its members' limits, one Pod each, nothing else.
    public var resourceQuota: JSONValue {
        let limits = plan.members.map(\.limits)
        let cpu = limits.map(\.nanoCPUs).reduce(0, +)
        let memory = limits.map(\.memoryBytes).reduce(0, +)
        var hard: [(String, JSONValue)] = [
            ("pods", .string(String(plan.members.count))),
            ("services", .string(String(plan.members.count))),
            ("limits.cpu", .string(Self.millicores(cpu))),
            ("limits.memory", .string(String(memory))),
            ("requests.cpu", .string(Self.millicores(limits.map { Self.requested(cpu: $0.nanoCPUs) }.reduce(0, +)))),
            ("requests.memory", .string(String(limits.map { $0.memoryBytes / 2 }.reduce(0, +)))),
            ("services.loadbalancers", "0"), ("services.nodeports", "0"),
            ("persistentvolumeclaims", "0"),
        ]
        let disks = limits.compactMap(\.diskBytes)
        if disks.count == limits.count {
            hard.append(("limits.ephemeral-storage", .string(String(disks.reduce(0, +)))))
        }
        return .object([("apiVersion", "v1"), ("kind", "ResourceQuota"), ("metadata", metadata("nalabo-session")),
                        ("spec", .object([("hard", .object(hard))]))])
    }

    /// Every container in the namespace is held to the largest member's limits, and gets them by default.
    public var limitRange: JSONValue {
        let limits = plan.members.map(\.limits)
        let cpu = limits.map(\.nanoCPUs).max() ?? 1_000_000_000
        let memory = limits.map(\.memoryBytes).max() ?? 256 << 20
        let maximum: JSONValue = .object([("cpu", .string(Self.millicores(cpu))), ("memory", .string(String(memory)))])
        return .object([
            ("apiVersion", "v1"), ("kind", "LimitRange"), ("metadata", metadata("nalabo-session")),
            ("spec", .object([("limits", .array([.object([
                ("type", "Container"), ("max", maximum), ("default", maximum),
                ("defaultRequest", .object([("cpu", .string(Self.millicores(Self.requested(cpu: cpu)))), ("memory", .string(String(memory / 2)))])),
            ])]))])),
        ])
    }

    /// Address ranges an `internet` session must not reach: private and shared networks (where cluster Pods,
    /// Services and nodes live) and link-local, home of cloud metadata services (169.254.169.254).
    public static let internalRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"]
    public static let internalRanges6 = ["fc00::/7", "fe80::/10", "::1/128"]

    /// The NetworkPolicies: `none` denies all traffic in and out; `isolated` allows it only between the
    /// session's Pods, plus DNS to the cluster resolver; `internet` allows egress to public addresses as well.
    public var networkPolicies: [JSONValue] { namedPolicies.map(\.body) }

    /// The policies with their names, for messages.
    var namedPolicies: [(name: String, body: JSONValue)] {
        let all = JSONValue.object([])
        var policies = [policy("nalabo-deny-all", ingress: nil, egress: nil, types: ["Ingress", "Egress"])]
        guard plan.network != .none else { return policies }
        let session: JSONValue = .array([.object([("podSelector", all)])])
        policies.append(policy("nalabo-within-session", ingress: .array([.object([("from", session)])]), egress: .array([.object([("to", session)])]),
                               types: ["Ingress", "Egress"]))
        let dns: JSONValue = .array([.object([
            ("to", .array([.object([
                ("namespaceSelector", .object([("matchLabels", .object([("kubernetes.io/metadata.name", "kube-system")]))])),
                ("podSelector", .object([("matchLabels", .object([("k8s-app", "kube-dns")]))])),
            ])])),
            ("ports", .array([.object([("protocol", "UDP"), ("port", .int(53))]), .object([("protocol", "TCP"), ("port", .int(53))])])),
        ])])
        policies.append(policy("nalabo-cluster-dns", ingress: nil, egress: dns, types: ["Egress"]))
        if plan.network == .internet {
            let outside: JSONValue = .array([.object([("to", .array([
                .object([("ipBlock", .object([("cidr", "0.0.0.0/0"), ("except", .array(Self.internalRanges.map(JSONValue.string)))]))]),
                .object([("ipBlock", .object([("cidr", "::/0"), ("except", .array(Self.internalRanges6.map(JSONValue.string)))]))]),
            ]))])])
            policies.append(policy("nalabo-internet", ingress: nil, egress: outside, types: ["Egress"]))
        }
        return policies
    }

    /// A policy over every Pod of the namespace, of the given types; a type without rules allows nothing.
    private func policy(_ name: String, ingress: JSONValue?, egress: JSONValue?, types: [JSONValue]) -> (name: String, body: JSONValue) {
        var spec: [(String, JSONValue)] = [("podSelector", .object([]))]
        if let ingress { spec.append(("ingress", ingress)) }
        if let egress { spec.append(("egress", egress)) }
        spec.append(("policyTypes", .array(types)))
        return (name, .object([("apiVersion", "networking.k8s.io/v1"), ("kind", "NetworkPolicy"), ("metadata", metadata(name)), ("spec", .object(spec))]))
    }

    /// The Secret holding the values of the members' `secrets:`, so that they are not in the Pods' specs.
    public static let secretsObject = "nalabo-secrets"

    /// A member's secret's key in ``secretsObject``.
    static func secretKey(member: String, name: String) -> String { "\(member).\(name)" }

    /// The Secret of the members' `secrets:`, nil when there are none.
    var secretsBody: JSONValue? {
        let entries = plan.members.flatMap { member in member.secrets.map { (Self.secretKey(member: member.name, name: $0.key), $0.value) } }
        guard !entries.isEmpty else { return nil }
        return .object([("apiVersion", "v1"), ("kind", "Secret"), ("metadata", metadata(Self.secretsObject)), ("type", "Opaque"),
                        ("stringData", .object(entries.sorted { $0.0 < $1.0 }.map { ($0.0, .string($0.1)) }))])
    }

    /// An object to create: where it is posted, how a person names it, the object, and for a Pod its member.
    public struct Creation: Sendable {
        public var path: String
        public var what: String
        public var body: JSONValue
        public var startsMember: String? = nil
    }

    /// Every object of the session after the namespace, in creation order (policies and quota before Pods).
    public func creations(initProgram: [UInt8]) -> [Creation] {
        let core = "/api/v1/namespaces/\(namespace)"
        let policies = "/apis/networking.k8s.io/v1/namespaces/\(namespace)/networkpolicies"
        return namedPolicies.map { Creation(path: policies, what: "network policy \($0.name)", body: $0.body) }
            + [Creation(path: core + "/resourcequotas", what: "resource quota nalabo-session", body: resourceQuota),
               Creation(path: core + "/limitranges", what: "limit range nalabo-session", body: limitRange),
               Creation(path: core + "/configmaps", what: "config map \(Self.initConfigMap)", body: initConfigMapObject(initProgram))]
            + (secretsBody.map { [Creation(path: core + "/secrets", what: "secret \(Self.secretsObject)", body: $0)] } ?? [])
            + plan.members.map { Creation(path: core + "/services", what: "service \($0.name)", body: service($0)) }
            + plan.members.map { Creation(path: core + "/pods", what: "pod \($0.name)", body: pod($0), startsMember: $0.name) }
    }

    /// The objects of ``creations(initProgram:)``.
    public func objects(initProgram: [UInt8]) -> [JSONValue] { creations(initProgram: initProgram).map(\.body) }

    /// A member's exec command: through nalabo-init `run` when a user, directory or environment must be set
    /// (Kubernetes' exec sets none of them).
    public static func execCommand(_ command: [String], user: String?, workdir: String?, env: [String]) -> [String] {
        guard user != nil || workdir != nil || !env.isEmpty else { return command }
        return [InitProgram.path, "run", user ?? "", workdir ?? "", String(env.count)] + env + command
    }
}
