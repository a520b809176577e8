import Foundation
import Testing
import TestSupport
import WorkshopSpec
@testable import Runtime

/// How a workshop becomes Kubernetes objects: the isolation every learner Pod gets, without a cluster.
@Suite struct KubernetesLayoutTests {
    static let expiry = Date(timeIntervalSince1970: 1_900_000_000)

    static func layout(_ spec: String, userNamespaces: Bool = false) throws -> KubernetesLayout {
        let plan = SessionPlan(sessionID: "0123abcd45", workshop: try BlueprintTests.workshop(spec), expiresAt: expiry,
                               stateFile: "/state/0123abcd45.json", origin: "/w")
        return KubernetesLayout(plan: plan, now: expiry.addingTimeInterval(-1800), userNamespaces: userNamespaces)
    }

    /// Reads a path of keys and indexes (`spec.containers.0.image`) out of an object.
    static func value(_ object: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = object
        for key in path.split(separator: ".") {
            switch current {
            case .object(let members)?: current = members.first { $0.0 == key }?.1
            case .array(let items)?: current = Int(key).flatMap { $0 < items.count ? items[$0] : nil }
            default: return nil
            }
        }
        return current
    }

    static func string(_ object: JSONValue, _ path: String) -> String? {
        if case .string(let text)? = value(object, path) { text } else { nil }
    }

    @Test func aSessionIsOneLabelledNamespaceAtTheBaselineLevelForRoot() throws {
        let layout = try Self.layout(BlueprintTests.twoContainers)
        let namespace = layout.namespaceObject
        #expect(Self.string(namespace, "metadata.name") == "nalabo-0123abcd45")
        #expect(Self.string(namespace, "metadata.labels.app.kubernetes.io/managed-by") == nil) // keys hold dots: read them whole
        guard case .object(let labels)? = Self.value(namespace, "metadata.labels") else { Issue.record("no labels"); return }
        let byKey = Dictionary(labels.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["app.kubernetes.io/managed-by"] == "nalabo")
        #expect(byKey["nalabo.dev/session"] == "0123abcd45")
        #expect(byKey["pod-security.kubernetes.io/enforce"] == "baseline")
        #expect(byKey["pod-security.kubernetes.io/enforce-version"] == "latest")
        // What labels cannot hold travels as annotations, and reads back as the same metadata.
        guard case .object(let annotations)? = Self.value(namespace, "metadata.annotations") else { Issue.record("no annotations"); return }
        let strings = { (pairs: [(String, JSONValue)]) in
            Dictionary(pairs.compactMap { key, value in if case .string(let text) = value { (key, text) } else { nil } }, uniquingKeysWith: { first, _ in first })
        }
        let metadata = try #require(KubernetesLayout.metadata(labels: strings(labels), annotations: strings(annotations)))
        #expect(metadata == layout.plan.metadata)
        // Without the managed-by label, a namespace is not a session's.
        #expect(KubernetesLayout.metadata(labels: ["nalabo.dev/session": "x"], annotations: [:]) == nil)
    }

    @Test func podsDropCapabilitiesMountNoTokenAndEndAtTheExpiry() throws {
        let layout = try Self.layout(BlueprintTests.twoContainers)
        let web = try #require(layout.plan.member("web"))
        let pod = layout.pod(web)
        #expect(Self.string(pod, "metadata.namespace") == "nalabo-0123abcd45")
        #expect(Self.value(pod, "spec.automountServiceAccountToken") == .bool(false))
        #expect(Self.value(pod, "spec.enableServiceLinks") == .bool(false))
        #expect(Self.value(pod, "spec.activeDeadlineSeconds") == .int(1800))
        #expect(Self.value(pod, "spec.restartPolicy") == "Never")
        #expect(Self.string(pod, "spec.hostname") == "web")
        #expect(Self.value(pod, "spec.hostNetwork") == nil && Self.value(pod, "spec.hostPID") == nil && Self.value(pod, "spec.hostUsers") == nil)
        #expect(Self.value(pod, "spec.securityContext.seccompProfile.type") == "RuntimeDefault")
        let container = "spec.containers.0"
        #expect(Self.value(pod, container + ".imagePullPolicy") == "IfNotPresent")
        #expect(Self.value(pod, container + ".command") == .array([.string(InitProgram.path), .string("1900000000")]))
        #expect(Self.value(pod, container + ".securityContext.allowPrivilegeEscalation") == .bool(false))
        #expect(Self.value(pod, container + ".securityContext.privileged") == .bool(false))
        #expect(Self.value(pod, container + ".securityContext.capabilities.drop") == .array(["ALL"]))
        #expect(Self.value(pod, container + ".securityContext.capabilities.add") == .array(SessionPlan.capabilities.map(JSONValue.string)))
        #expect(Self.value(pod, container + ".resources.limits.memory") == .string(String(100 << 20)))
        #expect(Self.value(pod, container + ".resources.limits.cpu") == "250m")
        #expect(Self.value(pod, container + ".resources.requests.cpu") == "25m")
        // The only volume is nalabo-init's ConfigMap, read-only: no hostPath, nothing of the node.
        #expect(Self.value(pod, "spec.volumes.0.configMap.name") == "nalabo-init")
        #expect(Self.value(pod, "spec.volumes.1") == nil)
        #expect(Self.value(pod, container + ".volumeMounts.0.readOnly") == .bool(true))
        // Each member also gets a headless Service by its name, with its ports.
        let service = layout.service(web)
        #expect(Self.value(service, "spec.clusterIP") == "None")
        #expect(Self.value(service, "spec.ports.1.port") == .int(9090))
    }

    @Test func nonRootMembersMakeTheNamespaceRestricted() throws {
        let spec = busyboxSpec(containers: """
                - name: box
                  image: \(TestEngine.busybox)
                  user: "1000:1000"
                  resources: {cpus: 0.5, memory: 64Mi, pids: 64}
            """)
        let layout = try Self.layout(spec)
        let box = try #require(layout.plan.member("box"))
        #expect(layout.identity(of: box) == .nonRoot(uid: 1000, gid: 1000))
        #expect(layout.podSecurityLevel == "restricted")
        let pod = layout.pod(box)
        #expect(Self.value(pod, "spec.securityContext.runAsNonRoot") == .bool(true))
        #expect(Self.value(pod, "spec.securityContext.runAsUser") == .int(1000))
        // `restricted` allows adding NET_BIND_SERVICE only.
        #expect(Self.value(pod, "spec.containers.0.securityContext.capabilities.add") == .array(["NET_BIND_SERVICE"]))

        // A root script in that member needs a root Pod; execs then switch to the learner's user.
        let withRoot = try Self.layout(busyboxSpec(containers: """
                - name: box
                  image: \(TestEngine.busybox)
                  user: learner
                  resources: {cpus: 0.5, memory: 64Mi, pids: 64}
            """, setup: """
              setup:
                - run: chown learner /srv
                  container: box
                  user: root
            """), userNamespaces: true)
        let rootBox = try #require(withRoot.plan.member("box"))
        #expect(withRoot.identity(of: rootBox) == .root(defaultUser: "learner", explicit: true))
        #expect(withRoot.podSecurityLevel == "baseline")
        let rootPod = withRoot.pod(rootBox)
        #expect(Self.value(rootPod, "spec.securityContext.runAsUser") == .int(0))
        // Where the cluster has user namespaces, root Pods get one.
        #expect(Self.value(rootPod, "spec.hostUsers") == .bool(false))
    }

    @Test func networkModesBecomePolicies() throws {
        func names(_ network: String) throws -> [String] {
            try Self.layout(busyboxSpec(network: network)).networkPolicies.compactMap { Self.string($0, "metadata.name") }
        }
        #expect(try names("none") == ["nalabo-deny-all"])
        #expect(try names("isolated") == ["nalabo-deny-all", "nalabo-within-session", "nalabo-cluster-dns"])
        #expect(try names("internet") == ["nalabo-deny-all", "nalabo-within-session", "nalabo-cluster-dns", "nalabo-internet"])
        let policies = try Self.layout(busyboxSpec(network: "internet")).networkPolicies
        let deny = policies[0]
        #expect(Self.value(deny, "spec.policyTypes") == .array(["Ingress", "Egress"]))
        #expect(Self.value(deny, "spec.ingress") == nil && Self.value(deny, "spec.egress") == nil)
        let internet = policies[3]
        #expect(Self.value(internet, "spec.egress.0.to.0.ipBlock.cidr") == "0.0.0.0/0")
        guard case .array(let except)? = Self.value(internet, "spec.egress.0.to.0.ipBlock.except") else { Issue.record("no except"); return }
        #expect(except.contains("169.254.0.0/16") && except.contains("10.0.0.0/8"))
    }

    @Test func theQuotaIsTheSumOfTheMembers() throws {
        let layout = try Self.layout(BlueprintTests.twoContainers)
        let quota = layout.resourceQuota
        #expect(Self.value(quota, "spec.hard.pods") == "2")
        let memory = layout.plan.members.map(\.limits.memoryBytes).reduce(0, +)
        #expect(Self.value(quota, "spec.hard.limits.memory") == nil) // dotted keys: read whole below
        guard case .object(let hard)? = Self.value(quota, "spec.hard") else { Issue.record("no hard"); return }
        #expect(hard.first { $0.0 == "limits.memory" }?.1 == .string(String(memory)))
        #expect(hard.first { $0.0 == "services.nodeports" }?.1 == "0")
    }

    @Test func execsSetUserDirectoryAndEnvironmentThroughNalaboInit() {
        #expect(KubernetesLayout.execCommand(["id"], user: nil, workdir: nil, env: []) == ["id"])
        #expect(KubernetesLayout.execCommand(["id"], user: "learner", workdir: "/srv", env: ["A=1"])
                == [InitProgram.path, "run", "learner", "/srv", "1", "A=1", "id"])
    }

    @Test func execStatusesAndPodStatesReadInPlainWords() throws {
        #expect(KubernetesExec.exitStatus(Array(#"{"status":"Success"}"#.utf8)).code == 0)
        let failed = #"{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
        #expect(KubernetesExec.exitStatus(Array(failed.utf8)).code == 3)
        let missing = KubernetesExec.exitStatus(Array(#"{"status":"Failure","message":"exec: \"nope\": executable file not found"}"#.utf8))
        #expect(missing.code == 126 && missing.message?.contains("not found") == true)

        func pod(_ json: String) throws -> K8s.Pod { try JSONDecoder().decode(K8s.Pod.self, from: Data(json.utf8)) }
        let layout = try Self.layout(BlueprintTests.twoContainers)
        let web = try #require(layout.plan.member("web"))
        let pulling = try pod(#"{"metadata":{"name":"web"},"status":{"phase":"Pending","containerStatuses":[{"name":"web","state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"nalabo/busybox:test\": not found"}}}]}}"#)
        let pull = try #require(try KubernetesBackend(api: try Self.api()).startProblem(pulling, member: web))
        #expect(pull.kind == .imageUnavailable && pull.message.contains("nalabo/busybox:test") && pull.message.contains("ImagePullBackOff"))
        let unschedulable = try pod(#"{"metadata":{"name":"web"},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes are available: 1 Insufficient memory."}]}}"#)
        let schedule = try #require(try KubernetesBackend(api: try Self.api()).startProblem(unschedulable, member: web))
        #expect(schedule.kind == .refused && schedule.message.contains("Insufficient memory"))
        let killed = try pod(#"{"metadata":{"name":"web"},"status":{"phase":"Failed","containerStatuses":[{"name":"web","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}}"#)
        #expect(KubernetesBackend.stoppedReason(killed)?.contains("memory limit") == true)
        let evicted = try pod(#"{"metadata":{"name":"web"},"status":{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: ephemeral-storage."}}"#)
        #expect(KubernetesBackend.stoppedReason(evicted)?.contains("evicted") == true)
    }

    /// `nalabo-init run`, what every Kubernetes exec with a user, directory or environment goes through, run on
    /// the host (as root, as the tests run in CI) against the host's /etc/passwd.
    @Test(.enabled(if: getuid() == 0, "needs root to switch users")) func nalaboInitRunSwitchesUserDirectoryAndEnvironment() throws {
        let program = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("nalabo-init").path
        let command = KubernetesLayout.execCommand(["/bin/sh", "-c", "echo $(id -u):$(id -g) $PWD $X $USER"], user: "nobody", workdir: "/tmp", env: ["X=set"])
            .dropFirst().map { $0 }
        let result = try Nalabo.runProcess(program, command)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "65534:65534 /tmp set nobody\n")
        let byNumber = try Nalabo.runProcess(program, ["run", "1234:5", "", "0", "/bin/sh", "-c", "echo $(id -u):$(id -g) $HOME"])
        #expect(byNumber.stdout == "1234:5 /\n")
        let unknown = try Nalabo.runProcess(program, ["run", "no-such-user", "", "0", "true"])
        #expect(unknown.status == 126 && unknown.stderr.contains("no user no-such-user"))
        let missing = try Nalabo.runProcess(program, ["run", "", "", "0", "/no/such/program"])
        #expect(missing.status == 127)
    }

    /// An API on a kubeconfig that names nothing reachable (for pure decisions that need a backend value).
    static func api() throws -> KubernetesAPI {
        var config = Kubeconfig()
        config.clusters["c"] = .init(server: "https://127.0.0.1:9")
        config.contexts["x"] = .init(cluster: "c", user: "u")
        config.currentContext = "x"
        return try KubernetesAPI.connect(config, context: nil)
    }

    /// Every object validates against Kubernetes' own JSON schemas (PyPI's kubernetes-validate, installed by
    /// scripts/install-system-packages). Without the tool the test is reported as skipped, never as passed.
    @Test(.enabled(if: KubernetesSchemas.validator != nil, "kubernetes-validate is not installed (pip install kubernetes-validate)"))
    func everyObjectValidatesAgainstTheKubernetesSchemas() throws {
        let directory = try TemporaryDirectory()
        var files: [String] = []
        for (index, spec) in [BlueprintTests.twoContainers, busyboxSpec(network: "internet"), busyboxSpec(network: "none")].enumerated() {
            let layout = try Self.layout(spec, userNamespaces: index == 1)
            for (number, object) in ([layout.namespaceObject] + layout.objects(initProgram: Array("#!nalabo-init".utf8))).enumerated() {
                let name = "object-\(index)-\(number).json"
                try directory.write(name, object.pretty)
                files.append(directory.path + "/" + name)
            }
        }
        let result = try KubernetesSchemas.validate(files)
        #expect(result.status == 0, "\(result.output)")
    }
}

/// Runs PyPI's kubernetes-validate on object files.
enum KubernetesSchemas {
    static let validator: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/kubernetes-validate" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The Kubernetes version whose schemas the objects are checked against.
    static let version = "1.36.0"

    static func validate(_ files: [String]) throws -> (status: Int32, output: String) {
        guard let validator else { return (127, "no kubernetes-validate") }
        let result = try Nalabo.runProcess(validator, ["--strict", "--quiet", "--kubernetes-version", version] + files)
        return (result.status, result.stdout + result.stderr)
    }
}

/// A workshop's `secrets:` on Kubernetes: held in one Secret of the namespace, referenced from the Pods' env,
/// never written in a Pod's spec.
@Suite struct KubernetesSecretTests {
    @Test func secretsGoIntoASecretAndPodsOnlyReferToThem() throws {
        let spec = busyboxSpec(containers: """
                - name: box
                  image: nalabo/busybox:test
                  env: {MODE: training}
                  secrets: [DB_PASSWORD]
            """)
        let plan = SessionPlan(sessionID: "0123abcd45", workshop: try BlueprintTests.workshop(spec), expiresAt: KubernetesLayoutTests.expiry,
                               stateFile: "/state/0123abcd45.json", origin: "/w", secrets: ["DB_PASSWORD": "s3cret-value"])
        let layout = KubernetesLayout(plan: plan, now: KubernetesLayoutTests.expiry.addingTimeInterval(-1800), userNamespaces: false)
        let creations = layout.creations(initProgram: [])
        let secret = try #require(creations.first { $0.path.hasSuffix("/secrets") })
        #expect(KubernetesLayoutTests.string(secret.body, "stringData.box.DB_PASSWORD") == nil, "keys hold dots: read them whole")
        guard case .object(let data)? = KubernetesLayoutTests.value(secret.body, "stringData") else { Issue.record("no stringData"); return }
        #expect(data.map(\.0) == ["box.DB_PASSWORD"] && data.first?.1 == .string("s3cret-value"))
        let secretIndex = try #require(creations.firstIndex { $0.path.hasSuffix("/secrets") })
        let podIndex = try #require(creations.firstIndex { $0.startsMember == "box" })
        #expect(secretIndex < podIndex, "the Secret exists before the Pod that refers to it")
        let pod = layout.pod(plan.members[0])
        #expect(KubernetesLayoutTests.string(pod, "spec.containers.0.env.0.value") == "training")
        #expect(KubernetesLayoutTests.string(pod, "spec.containers.0.env.1.name") == "DB_PASSWORD")
        #expect(KubernetesLayoutTests.string(pod, "spec.containers.0.env.1.valueFrom.secretKeyRef.name") == KubernetesLayout.secretsObject)
        #expect(!pod.canonical.contains("s3cret-value"), "the value is not in the Pod")
        // Without secrets there is no Secret.
        let none = try KubernetesLayoutTests.layout(BlueprintTests.twoContainers).creations(initProgram: [])
        #expect(!none.contains { $0.path.hasSuffix("/secrets") })
    }
}

@Suite struct SecretFileTests {
    /// A secrets file saved with CRLF line ends is read line by line, never as one value holding the rest.
    @Test func crlfLinesAreSeparateSecrets() throws {
        let directory = try TemporaryDirectory()
        try directory.write("s.env", "\u{FEFF}A=one\r\nB=two\r\n")
        let values = try SecretSource(environment: [:], file: directory.path + "/s.env").values(for: ["A", "B"])
        #expect(values == ["A": "one", "B": "two"])
    }
}
