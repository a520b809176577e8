import Foundation
import NIOCore
import NIOHTTP1
import WorkshopSpec

/// Sessions on a Kubernetes cluster: one namespace per session (``KubernetesLayout``), created through the
/// API server's REST API and reached through its exec WebSocket. Deleting the namespace removes everything.
public struct KubernetesBackend: SessionBackend {
    public let api: KubernetesAPI
    /// How long `provision` waits for every Pod to run (image pulls included).
    public var readyTimeout: Duration = .seconds(300)
    /// How long `teardown` waits for the namespace to be gone.
    public var deletionTimeout: Duration = .seconds(60)

    /// The kubeconfig named with `--kubeconfig`, kept with each session so later commands use it too.
    public var kubeconfigPath: String?

    public init(api: KubernetesAPI, kubeconfigPath: String? = nil) {
        self.api = api
        self.kubeconfigPath = kubeconfigPath
    }

    /// The cluster of a kubeconfig's context, found as kubectl finds it (``Kubeconfig/load``).
    public static func connect(kubeconfig: String? = nil, context: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubernetesBackend {
        do {
            let config = try Kubeconfig.load(explicitPath: kubeconfig, environment: environment)
            let path = kubeconfig.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            return KubernetesBackend(api: try KubernetesAPI.connect(config, context: context), kubeconfigPath: path)
        } catch let failure as Kubeconfig.Failure {
            throw BackendError(.unreachable, failure.message)
        }
    }

    /// The cluster a session was started on: its context again, which must still name the same server.
    public static func reopen(_ locator: BackendLocator, kubeconfig: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubernetesBackend {
        let backend = try connect(kubeconfig: kubeconfig, context: locator.context, environment: environment)
        guard backend.api.server == locator.address else {
            throw BackendError(.unreachable, "the session runs on \(locator.address), but the kubeconfig's context \(locator.context ?? "(current)") "
                               + "now names \(backend.api.server); choose the session's cluster with --kubeconfig or --context")
        }
        return backend
    }

    public var locator: BackendLocator { BackendLocator(kind: .kubernetes, address: api.server, context: api.context) }

    public func info() async throws -> BackendInfo {
        let version = try await api.get(K8s.Version.self, "/version")
        var details = ["context": api.context]
        details["platform"] = version.platform
        return BackendInfo(kind: .kubernetes, product: "Kubernetes", version: version.gitVersion ?? "unknown", details: details)
    }

    // MARK: Provisioning

    public func provision(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle {
        let program: [UInt8]
        switch InitProgram.contents {
        case .success(let bytes): program = bytes
        case .failure(let missing): throw BackendError(.unsupported, missing.description + " (on Kubernetes it is PID 1 of every Pod and switches users for execs)")
        }
        _ = try await info()
        let userNamespaces = await Self.userNamespaces(api)
        let layout = KubernetesLayout(plan: plan, userNamespaces: userNamespaces)
        let namespace = layout.namespace
        if userNamespaces, plan.members.contains(where: { if case .root = layout.identity(of: $0) { true } else { false } }) {
            events(.note("root in the session's containers is an unprivileged user of the node: its Pods run in user namespaces (hostUsers: false)"))
        }
        events(.notEnforced(.processes, reason: "Kubernetes limits processes per node (the kubelet's podPidsLimit), not per Pod; "
                            + "ask the cluster's operator to set it (docs/runtime.md, \"Kubernetes\")"))
        events(.creating(kind: "namespace", name: namespace))
        try await create(layout.namespaceObject, at: "/api/v1/namespaces", what: "namespace \(namespace)")
        for object in layout.creations(initProgram: program) {
            try Task.checkCancellation()
            if let member = object.startsMember { events(.startingMember(member)) }
            try await create(object.body, at: object.path, what: object.what)
        }
        let pods = try await waitForPods(plan, namespace: namespace)

        var handle = SessionHandle(locator: locator, session: plan.sessionID, members: [:], state: ["namespace": namespace])
        handle.state["kubeconfig"] = kubeconfigPath
        for member in plan.members {
            handle.members[member.name] = member.name
            if case .root(let user?, _) = layout.identity(of: member) { handle.state["user/\(member.name)"] = user }
            if let address = pods[member.name]?.status?.podIP { handle.state["address/\(member.name)"] = address }
            if !member.ports.isEmpty { handle.state["ports/\(member.name)"] = member.ports.map(String.init).joined(separator: ",") }
        }
        try await addHostEntries(plan, layout: layout, handle: handle, events: events)
        return handle
    }

    /// Whether every node runs Pods in user namespaces; false when they do not or nalabo may not list nodes.
    static func userNamespaces(_ api: KubernetesAPI) async -> Bool {
        guard let nodes = try? await api.get(K8s.List<K8s.Node>.self, "/api/v1/nodes").items, !nodes.isEmpty else { return false }
        return nodes.allSatisfy(\.supportsUserNamespaces)
    }

    /// Creates an object; a refusal names the object and gives the API's reason.
    private func create(_ object: JSONValue, at path: String, what: String) async throws {
        // A new namespace's `default` ServiceAccount appears a moment after it: Pods are refused until then.
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            do {
                try await api.expect(.POST, path, body: object)
                return
            } catch let error as BackendError where error.message.contains("serviceaccount \"default\" not found") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            } catch let error as BackendError where error.kind == .refused || error.kind == .notFound {
                throw BackendError(.refused, "cannot create \(what): \(error.message)")
            }
        }
    }

    /// Waits until every member's Pod runs; an image that cannot be pulled, a Pod that cannot be scheduled or
    /// one that stopped is an error in the cluster's words.
    private func waitForPods(_ plan: SessionPlan, namespace: String) async throws -> [String: K8s.Pod] {
        let deadline = ContinuousClock.now + readyTimeout
        while true {
            try Task.checkCancellation()
            let list = try await api.get(K8s.List<K8s.Pod>.self, "/api/v1/namespaces/\(namespace)/pods")
            var pods: [String: K8s.Pod] = [:]
            for pod in list.items { if let name = pod.metadata.name { pods[name] = pod } }
            var waiting: [String] = []
            for member in plan.members {
                guard let pod = pods[member.name] else { waiting.append(member.name); continue }
                if let problem = try startProblem(pod, member: member) { throw problem }
                let running = pod.status?.containerStatuses?.first?.state?.running != nil
                if !running { waiting.append(member.name) }
            }
            if waiting.isEmpty { return pods }
            if ContinuousClock.now > deadline {
                let reasons = try await eventText(namespace: namespace)
                throw BackendError(.refused, "the Pods \(waiting.joined(separator: ", ")) of namespace \(namespace) did not start within "
                                   + "\(readyTimeout.components.seconds) s" + (reasons.isEmpty ? "" : ": " + reasons))
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// A Pod that will not start, in plain words: a pull failure is ``BackendError/Kind/imageUnavailable``.
    func startProblem(_ pod: K8s.Pod, member: SessionPlan.Member) throws -> BackendError? {
        let name = pod.metadata.name ?? member.name
        if let waiting = pod.status?.containerStatuses?.first?.state?.waiting, let reason = waiting.reason {
            switch reason {
            case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull":
                return BackendError.imageUnavailable(member.image, reason: "\(reason): \(waiting.message ?? "no reason given")",
                                                     remedy: "Make the image available to the cluster's nodes (a registry they reach, or loaded into the node's runtime), or check its name")
            case "CreateContainerConfigError", "CreateContainerError", "RunContainerError":
                return BackendError(.refused, "pod \(name) cannot start its container: \(reason): \(waiting.message ?? "")")
            default: break
            }
        }
        if let unschedulable = pod.status?.conditions?.first(where: { $0.type == "PodScheduled" && $0.status == "False" && $0.reason == "Unschedulable" }) {
            return BackendError(.refused, "pod \(name) cannot be scheduled: \(unschedulable.message ?? "no node fits it")")
        }
        if let stopped = Self.stoppedReason(pod) { return BackendError(.stopped, stopped) }
        return nil
    }

    /// Why a Pod is not running any more (evicted, out of memory, past its deadline), or nil.
    static func stoppedReason(_ pod: K8s.Pod) -> String? {
        let name = pod.metadata.name ?? "?"
        let phase = pod.status?.phase ?? ""
        if pod.status?.reason == "Evicted" { return "pod \(name) was evicted by its node: \(pod.status?.message ?? "")" }
        if pod.status?.reason == "DeadlineExceeded" { return "pod \(name) reached the session's expiry and was stopped" }
        let container = pod.status?.containerStatuses?.first
        if let terminated = container?.state?.terminated ?? (phase == "Failed" ? container?.lastState?.terminated : nil) {
            if terminated.reason == "OOMKilled" { return "pod \(name) was killed for exceeding its memory limit (OOMKilled)" }
            return "pod \(name) has stopped (\(terminated.reason ?? "exit") \(terminated.exitCode.map(String.init) ?? ""))"
        }
        if phase == "Failed" || phase == "Succeeded" { return "pod \(name) has stopped (\(phase)\(pod.status?.message.map { ": " + $0 } ?? ""))" }
        return nil
    }

    /// The namespace's warning events, newest last, for a message.
    private func eventText(namespace: String) async throws -> String {
        let events = (try? await api.get(K8s.List<K8s.Event>.self, "/api/v1/namespaces/\(namespace)/events"))?.items ?? []
        return events.filter { $0.type == "Warning" }.suffix(3).map {
            "\($0.involvedObject?.kind?.lowercased() ?? "") \($0.involvedObject?.name ?? ""): \($0.reason ?? "") \($0.message ?? "")"
        }.joined(separator: "; ")
    }

    /// Members find each other by their Services' names through cluster DNS. A cluster without DNS (no
    /// kube-dns Service) gets the names in each root member's /etc/hosts instead.
    private func addHostEntries(_ plan: SessionPlan, layout: KubernetesLayout, handle: SessionHandle,
                                events: @escaping @Sendable (SessionEvent) -> Void) async throws {
        guard plan.members.count > 1 else { return }
        let dns = try await api.send(.GET, "/api/v1/namespaces/kube-system/services/kube-dns")
        guard dns.status == 404 else { return }
        for member in plan.members {
            let others = plan.members.filter { $0.name != member.name }.flatMap { other in
                handle.state["address/\(other.name)"].map { [$0, other.hostname] } ?? []
            }
            guard case .root = layout.identity(of: member) else {
                events(.notEnforced(.names, reason: "the cluster has no DNS (kube-dns) and \(member.name) does not run as root, so its /etc/hosts cannot name the other members"))
                continue
            }
            let output = try await exec(MemberExec(member: member.name, command: ["/bin/sh", "-c", EmbeddedScripts.hosts, "nalabo-hosts"] + others,
                                                   user: "0", timeLimit: .seconds(10)), in: handle)
            if output.exitCode != 0 {
                events(.notEnforced(.names, reason: "\(member.name)'s /etc/hosts could not be written: \(output.stderr.text)"))
            }
        }
    }

    // MARK: Running things

    public func exec(_ request: MemberExec, in session: SessionHandle) async throws -> ExecOutput {
        let (namespace, pod) = try target(request.member, in: session)
        let command = KubernetesLayout.execCommand(request.command, user: request.user ?? session.state["user/\(request.member)"],
                                                   workdir: request.workdir, env: request.env)
        return try await KubernetesExec.run(api: api, namespace: namespace, pod: pod, container: request.member, command: command,
                                            timeLimit: request.timeLimit, outputLimit: request.outputLimit)
    }

    /// Through an exec of `tar` as root (copy-files.sh), as `kubectl cp` does: the image needs `tar`, `head` and
    /// `stat` (busybox's will do). Each file is one exec reading its archive from standard input, its length given, since an exec
    /// over `v4.channel.k8s.io` cannot close standard input; each is bounded by ``copyTimeLimit``, as the
    /// Docker backend's archive upload is.
    public func copyFiles(_ files: [FileCopy], into member: String, in session: SessionHandle) async throws {
        let (namespace, pod) = try target(member, in: session)
        for file in files {
            let arguments: [String]
            let archive: [UInt8]
            if file.extract {
                archive = file.bytes
                arguments = ["extract", String(archive.count), file.target, ArchiveCompression(file.bytes).rawValue]
                    + (file.owner == .root ? [] : [file.owner.description])
            } else {
                do {
                    archive = try TarArchive.archive(ContainerFile.entries(writing: [file]))
                } catch {
                    throw BackendError(.refused, "\(error)")
                }
                arguments = ["files", String(archive.count)]
            }
            let command = KubernetesLayout.execCommand(["/bin/sh", "-c", EmbeddedScripts.copyFiles, "nalabo-copy-files"] + arguments,
                                                       user: "0", workdir: nil, env: [])
            let channel = try await KubernetesTerminal.open(api: api, namespace: namespace, pod: pod, container: member, command: command, size: nil)
            let outcome: (said: [UInt8], status: Int?)?
            do {
                outcome = try await withDeadline(.now + Self.copyTimeLimit) {
                    for start in stride(from: 0, to: archive.count, by: 64 << 10) {
                        try await channel.send(Array(archive[start..<min(start + (64 << 10), archive.count)]))
                    }
                    await channel.closeInput()
                    var said: [UInt8] = []
                    for try await bytes in channel.output where said.count < 4096 { said += bytes }
                    // At the time limit the output ends unfinished: leave the exec to close() below rather than
                    // wait for a status that is not coming.
                    try Task.checkCancellation()
                    return (said, try await channel.exitStatus())
                }
            } catch {
                await channel.close()
                throw error
            }
            guard let (said, status) = outcome else {
                await channel.close()
                throw BackendError(.refused, "writing \(file.target) into \(member) (pod \(pod), namespace \(namespace)) did not finish within "
                                   + "\(Self.copyTimeLimit); the image needs a tar, head and stat that work on standard input (busybox's do)")
            }
            guard status == 0 else {
                let output = String(decoding: said.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw BackendError(.refused, "writing \(file.target) into \(member) exited with status \(status.map(String.init) ?? "unknown")"
                                   + (output.isEmpty ? "" : ": \(output)"))
            }
        }
    }

    /// How long one file's copy may take, from the exec's start to its exit.
    static let copyTimeLimit = Duration.seconds(120)

    public func attachTerminal(member: String, command: [String], in session: SessionHandle, size: TerminalSize?) async throws -> any TerminalChannel {
        let (namespace, pod) = try target(member, in: session)
        let wrapped = KubernetesLayout.execCommand(command, user: session.state["user/\(member)"], workdir: nil,
                                                   env: size == nil ? [] : ["TERM=xterm-256color"])
        return try await KubernetesTerminal.open(api: api, namespace: namespace, pod: pod, container: member, command: wrapped, size: size)
    }

    /// Published ports are forwarded through the API server to 127.0.0.1 of this machine while `body` runs.
    public func withPublishedPorts<T: Sendable>(_ session: SessionHandle,
                                                _ body: @Sendable ([String: [PublishedPort]]) async throws -> T) async throws -> T {
        guard let namespace = session.state["namespace"] else { return try await body([:]) }
        let members = session.members.sorted { $0.key < $1.key }.compactMap { member, pod -> (member: String, pod: String, ports: [Int])? in
            guard let ports = session.state["ports/\(member)"]?.split(separator: ",").compactMap({ Int($0) }), !ports.isEmpty else { return nil }
            return (member, pod, ports)
        }
        guard !members.isEmpty else { return try await body([:]) }
        do {
            return try await KubernetesPortForward.forwarding(api, namespace: namespace, members: members, body)
        } catch let error as IOError {
            throw BackendError(.refused, "cannot listen on 127.0.0.1 for the session's ports: \(error)")
        }
    }

    public func health(_ session: SessionHandle) async throws -> [String: MemberHealth] {
        guard let namespace = session.state["namespace"] else { throw BackendError(.notFound, "session \(session.session) has no namespace") }
        let namespaceAnswer = try await api.send(.GET, "/api/v1/namespaces/\(namespace)")
        let list = namespaceAnswer.status == 404 ? [] : try await api.get(K8s.List<K8s.Pod>.self, "/api/v1/namespaces/\(namespace)/pods").items
        var health: [String: MemberHealth] = [:]
        for (member, name) in session.members {
            guard let pod = list.first(where: { $0.metadata.name == name }) else {
                health[member] = MemberHealth(running: false, state: "missing", killedForMemory: false, outOfMemoryKills: nil)
                continue
            }
            let running = pod.status?.containerStatuses?.first?.state?.running != nil && pod.metadata.deletionTimestamp == nil
            let stopped = Self.stoppedReason(pod)
            var entry = MemberHealth(running: running, state: running ? "running" : (stopped ?? pod.status?.phase?.lowercased() ?? "unknown"),
                                     killedForMemory: !running && (stopped?.contains("OOMKilled") ?? false), outOfMemoryKills: nil)
            if running, let output = try? await exec(MemberExec(member: member, command: ["/bin/sh", "-c", EmbeddedScripts.oomKills],
                                                                 timeLimit: .seconds(5), outputLimit: 64), in: session), output.exitCode == 0 {
                entry.outOfMemoryKills = Int(output.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            health[member] = entry
        }
        return health
    }

    private func target(_ member: String, in session: SessionHandle) throws -> (namespace: String, pod: String) {
        guard let namespace = session.state["namespace"], let pod = session.members[member] else {
            throw BackendError(.notFound, "session \(session.session) has no container \(member)")
        }
        return (namespace, pod)
    }

    // MARK: Finding and removing sessions

    public func teardown(_ sessionID: String, events: @escaping @Sendable (SessionEvent) -> Void) async -> [String] {
        let namespace = KubernetesLayout.namespace(sessionID)
        let path = "/api/v1/namespaces/\(namespace)"
        do {
            let answer = try await api.send(.DELETE, path, body: .object([("kind", "DeleteOptions"), ("apiVersion", "v1"),
                                                                          ("propagationPolicy", "Background")]))
            if answer.status == 404 { return [] }
            guard (200..<300).contains(answer.status) || answer.status == 409 else {
                return [api.failure(answer, request: "DELETE namespace \(namespace)").message]
            }
            events(.removing("namespace \(namespace)"))
            // Deleting a namespace finishes in the background; wait (bounded) so `down` means gone.
            let deadline = ContinuousClock.now + deletionTimeout
            while ContinuousClock.now < deadline {
                if try await api.send(.GET, path).status == 404 { return [] }
                try await Task.sleep(for: .milliseconds(500))
            }
            return ["namespace \(namespace) is still terminating after \(deletionTimeout.components.seconds) s; Kubernetes goes on removing it "
                    + "(`kubectl get namespace \(namespace) -o yaml` shows what it waits for)"]
        } catch {
            return ["namespace \(namespace): \(error)"]
        }
    }

    public func sessions() async throws -> [BackendSession] {
        let list = try await api.get(K8s.List<K8s.Namespace>.self, "/api/v1/namespaces",
                                     query: [("labelSelector", "\(KubernetesLayout.Key.managedBy)=\(KubernetesLayout.manager)")])
        return list.items.compactMap { namespace in
            guard let metadata = KubernetesLayout.metadata(labels: namespace.metadata.labels ?? [:], annotations: namespace.metadata.annotations ?? [:]) else {
                return nil
            }
            return BackendSession(id: metadata.session, metadata: metadata, objects: ["namespace \(namespace.metadata.name ?? "")"])
        }.sorted { $0.id < $1.id }
    }
}
