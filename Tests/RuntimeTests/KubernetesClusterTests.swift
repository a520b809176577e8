import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
import WorkshopSpec
@testable import Runtime

/// The cluster the Kubernetes integration tests run against: a kubeconfig named by `NALABO_TEST_KUBECONFIG`
/// whose current context may create namespaces, with the test images (`nalabo/busybox:test`,
/// `debian:bookworm-slim`) available to its nodes. Without one these tests are reported as skipped ("not run"),
/// never as passed; docs/runtime.md lists them.
enum TestCluster {
    static let kubeconfig: String? = ProcessInfo.processInfo.environment["NALABO_TEST_KUBECONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    static let notRun = "not run: NALABO_TEST_KUBECONFIG names no cluster"

    static func backend() throws -> KubernetesBackend {
        try KubernetesBackend.connect(kubeconfig: try #require(kubeconfig))
    }

    /// The CLI against the test cluster.
    static var environment: [String: String] {
        ["NALABO_BACKEND": "kubernetes", "KUBECONFIG": kubeconfig ?? ""]
    }

    /// Whether the session's namespace exists.
    static func namespaceExists(_ session: String) async throws -> Bool {
        try await backend().api.send(.GET, "/api/v1/namespaces/\(KubernetesLayout.namespace(session))").status != 404
    }
}

@Suite(.enabled(if: TestCluster.kubeconfig != nil, "\(TestCluster.notRun)"))
struct KubernetesClusterTests {
    @Test func aLearnerGoesUpChecksSolvesAndGoesDownOnKubernetes() async throws {
        let lab = try Lab(SessionCommandTests.lesson)
        let env = TestCluster.environment
        let up = try await lab.nalabo(["up", lab.path, "--format", "json"], environment: env)
        #expect(up.status == 0, "\(up.stderr)")
        let ready = try SessionCommandTests.json(try #require(up.stdout.split(separator: "\n").last.map(String.init)))
        let session = try #require((ready["session"] as? [String: Any])?["id"] as? String)
        #expect(try await TestCluster.namespaceExists(session))

        let first = try await lab.nalabo(["check"], environment: env)
        #expect(first.status == 1)
        #expect(first.stdout.contains("✗ file-exists (0/5): exited with status 1"), "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("        Create /tmp/done.\n        /tmp/done is missing\n"))
        let solve = try await lab.nalabo(["solve", "make-file"], environment: env)
        #expect(solve.status == 0, "\(solve.stderr)")
        let passed = try await lab.nalabo(["check", "make-file", "fill-file", "--format", "json"], environment: env)
        let report = try SessionCommandTests.json(passed.stdout)
        #expect((report["challenges"] as? [[String: Any]])?.first?["state"] as? String == "skipped", "\(passed.stdout)")

        let status = try SessionCommandTests.json(try await lab.nalabo(["status", "--format", "json"], environment: env).stdout)
        #expect((status["containers"] as? [[String: Any]])?.first?["state"] as? String == "running")
        let down = try await lab.nalabo(["down"], environment: env)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try await !TestCluster.namespaceExists(session))
    }

    @Test func aSecretIsASecretOfTheNamespaceAndNotInThePod() async throws {
        let lab = try Lab(SecretTests.spec)
        let env = TestCluster.environment.merging(["NALABO_SECRET_DB_PASSWORD": "from-the-file"]) { _, new in new }
        let up = try await lab.nalabo(["up", lab.path, "-q"], environment: env)
        #expect(up.status == 0, "\(up.stderr)")
        let session = up.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let check = try await lab.nalabo(["check"], environment: env)
        #expect(check.status == 0, "the container's scripts see the secret: \(check.stdout)\(check.stderr)")
        let namespace = "/api/v1/namespaces/\(KubernetesLayout.namespace(session))"
        let pod = try await TestCluster.backend().api.send(.GET, namespace + "/pods/box")
        #expect(pod.status == 200 && !String(decoding: pod.body, as: UTF8.self).contains("from-the-file"), "the Pod's spec holds no value")
        let secret = try await TestCluster.backend().api.send(.GET, namespace + "/secrets/\(KubernetesLayout.secretsObject)")
        #expect(secret.status == 200)
        #expect(try await lab.nalabo(["down"], environment: env).status == 0)
    }

    @Test func filesArriveOnKubernetesAsOnDocker() async throws {
        // The lab's checks verify each file's mode and owner in the container, and b's file once b has started.
        let lab = try await FileCopyTests.lab()
        let result = try await lab.nalabo(["test", lab.path, "--format", "json"], environment: TestCluster.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#""files":3"#), "the container's three files are counted in the lifecycle: \(result.stdout)")
    }

    @Test func filesArriveOverTheOlderExecProtocolThatCannotCloseStandardInput() async throws {
        // v4.channel.k8s.io (servers before v5) has no way to close an exec's standard input: each copy reads
        // exactly its archive's length, or it would wait for an end of file until its time limit.
        var api = try TestCluster.backend().api
        api.execProtocols = ["v4.channel.k8s.io"]
        let lab = try await FileCopyTests.lab()
        let clock = ContinuousClock()
        let started = clock.now
        let run = try await WorkshopTester(provisioner: SessionProvisioner(backend: KubernetesBackend(api: api), store: lab.store))
            .test(lab.workshop(), source: lab.path)
        #expect(run.passed, "\(run.challenges.map { "\($0.challenge): \($0.problem ?? "ok")" }) \(run.sessionProblem ?? "")")
        #expect(run.lifecycle.compactMap(\.files) == [3, 1, 1, 1])
        #expect(clock.now - started < KubernetesBackend.copyTimeLimit, "a copy waited for its time limit")
    }

    @Test func anArchiveGoesIntoAnExistingDirectoryAsItIsOnKubernetes() async throws {
        // The archive's "./" entry (mode 0700) does not replace /tmp's mode, as on Docker (FileCopyTests).
        let backend = try TestCluster.backend()
        let lab = try Lab(FileCopyTests.box(copying: "{source: data.tar.gz, target: /tmp, extract: true}"))
        try lab.files.write("src/inner/x.txt", "inside\n")
        #expect(try await host("cd \(lab.path) && chmod 0700 src && tar -czf data.tar.gz -C src . && rm -r src").status == 0)
        let provisioner = SessionProvisioner(backend: backend, store: lab.store)
        let session = try await provisioner.up(lab.workshop(), options: .init(source: lab.path))
        let listed = try await backend.exec(MemberExec(member: "box", command: ["/bin/sh", "-c", "stat -c '%a %u:%g' /tmp && cat /tmp/inner/x.txt"],
                                                       user: "0", timeLimit: .seconds(30)), in: try #require(session.handle))
        #expect(await provisioner.remove(sessionID: session.id).isEmpty)
        #expect(listed.stdout.text == "1777 0:0\ninside\n", "/tmp keeps its mode: \(listed.stdout.text)\(listed.stderr.text)")
    }

    @Test func theExamplesPassNalaboTestOnKubernetes() async throws {
        let lab = try Lab(SessionCommandTests.lesson)
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardizedFileURL.path
        let result = try await lab.nalabo(["test", examples], environment: TestCluster.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func membersReachEachOtherByNameAndScriptsRunAsTheirUser() async throws {
        let spec = busyboxSpec(slug: "pair", network: "isolated", containers: """
                - name: one
                  image: \(TestEngine.busybox)
                  shell: /bin/sh
                  resources: {cpus: 0.25, memory: 64Mi, pids: 64}
                - name: two
                  image: \(TestEngine.busybox)
                  shell: /bin/sh
                  user: "1000"
                  resources: {cpus: 0.25, memory: 64Mi, pids: 64}
            """, setup: """
              setup:
                - run: 'mkdir -p /srv/shared && chown 1000 /srv/shared'
                  container: one
                  user: root
            """)
        let lab = try Lab(spec)
        let backend = try TestCluster.backend()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(try lab.workshop(), options: .init(source: lab.path))
        defer { Task { _ = await backend.teardown(record.id) } }
        let handle = try #require(record.handle)
        let ping = try await backend.exec(MemberExec(member: "one", command: ["/bin/sh", "-c", "grep -w two /etc/hosts || getent hosts two"],
                                                     timeLimit: .seconds(10)), in: handle)
        #expect(ping.exitCode == 0, "\(ping.stdout.text)\(ping.stderr.text)")
        let who = try await backend.exec(MemberExec(member: "two", command: ["id", "-u"], timeLimit: .seconds(10)), in: handle)
        #expect(who.stdout.text == "1000\n")
        let root = try await backend.exec(MemberExec(member: "one", command: ["id", "-u"], user: "root", workdir: "/srv/shared", env: ["X=1"],
                                                     timeLimit: .seconds(10)), in: handle)
        #expect(root.stdout.text == "0\n")
        // A non-root member cannot become root: its Pod runs as 1000 under `restricted`-compatible settings.
        let escalate = try await backend.exec(MemberExec(member: "two", command: ["id", "-u"], user: "root", timeLimit: .seconds(10)), in: handle)
        #expect(escalate.exitCode != 0)
        _ = await backend.teardown(record.id)
    }

    @Test func theClusterRefusesAPrivilegedPodAndOneOverQuota() async throws {
        let lab = try Lab(busyboxSpec(slug: "refusals"))
        let backend = try TestCluster.backend()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(try lab.workshop(), options: .init(source: lab.path))
        let namespace = KubernetesLayout.namespace(record.id)
        func pod(_ name: String, privileged: Bool, memory: String) -> JSONValue {
            .object([("apiVersion", "v1"), ("kind", "Pod"), ("metadata", .object([("name", .string(name))])),
                     ("spec", .object([("containers", .array([.object([
                         ("name", "c"), ("image", .string(TestEngine.busybox)), ("command", .array(["sleep", "60"])),
                         ("securityContext", .object([("privileged", .bool(privileged))])),
                         ("resources", .object([("limits", .object([("memory", .string(memory)), ("cpu", "100m")]))])),
                     ])]))]))])
        }
        let privileged = try await backend.api.send(.POST, "/api/v1/namespaces/\(namespace)/pods", body: pod("root", privileged: true, memory: "16Mi"))
        #expect(privileged.status == 403)
        #expect(backend.api.failure(privileged, request: "create").message.contains("PodSecurity"))
        let large = try await backend.api.send(.POST, "/api/v1/namespaces/\(namespace)/pods", body: pod("large", privileged: false, memory: "8Gi"))
        #expect(large.status == 403 || large.status == 422)
        let said = backend.api.failure(large, request: "create").message
        #expect(said.contains("quota") || said.contains("maximum"), "\(said)")
        #expect(await backend.teardown(record.id).isEmpty)
    }

    /// Kubernetes caps processes per node, not per Pod: the cluster must set the kubelet's `podPidsLimit` (as
    /// docs/runtime.md tells operators to), or a fork bomb is held only by the memory limit.
    @Test func outOfMemoryAndForkBombsStayInsideTheLimits() async throws {
        let spec = busyboxSpec(slug: "hostile", challenges: """
                  - id: hog
                    title: Hog
                    checks:
                      - run: 'i=0; x=; while [ $i -lt 200 ]; do x="$x$(head -c 1048576 /dev/zero | tr "\\0" a)"; i=$((i+1)); done'
                        timeout: 30s
                    solve: {run: "true"}
                  - id: bomb
                    title: Bomb
                    checks:
                      - run: 'b() { b | b & }; b; sleep 2; exit 1'
                        timeout: 10s
                    solve: {run: "true"}
            """, resources: "{cpus: 0.5, memory: 48Mi, pids: 64}")
        let lab = try Lab(spec)
        let backend = try TestCluster.backend()
        let workshop = try lab.workshop()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(workshop, options: .init(source: lab.path))
        let grader = Grader(backend: backend, store: lab.store)
        let report = try await grader.check(record, workshop: workshop, requested: ["hog", "bomb"])
        #expect(report.challenges.allSatisfy { $0.state == .failed }, "\(report)")
        // The session still answers: neither took the Pod (or the node) down.
        let health = try await backend.health(try #require(record.handle))
        #expect(health["box"]?.running == true, "\(health)")
        let problems = await backend.teardown(record.id)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func twoSessionsSideBySideAndPruneOfAnOrphan() async throws {
        let lab = try Lab(busyboxSpec(slug: "twins"))
        let backend = try TestCluster.backend()
        let provisioner = SessionProvisioner(backend: backend, store: lab.store)
        let first = try await provisioner.up(try lab.workshop(), options: .init(source: lab.path))
        let second = try await provisioner.up(try lab.workshop(), options: .init(source: lab.path))
        #expect(first.id != second.id)
        let found = try await backend.sessions().map(\.id)
        #expect(found.contains(first.id) && found.contains(second.id))
        // The second one's state file goes away: prune removes its namespace and leaves the first.
        try lab.store.remove(second.id)
        let pruned = try await SessionPruner(provisioner: provisioner).prune()
        #expect(pruned.contains { $0.session == second.id && $0.reason == .orphaned }, "\(pruned)")
        #expect(try await !TestCluster.namespaceExists(second.id))
        #expect(try await TestCluster.namespaceExists(first.id))
        #expect(await backend.teardown(first.id).isEmpty)
    }

    @Test func aRejectedTokenSaysToLogInAgain() async throws {
        let directory = try TemporaryDirectory()
        let config = try String(contentsOfFile: try #require(TestCluster.kubeconfig), encoding: .utf8)
        // The same cluster with a token it never issued.
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.contains("client-certificate") && !$0.contains("client-key") && !$0.contains("token:")
        }.map { $0.hasSuffix("user:") ? $0 + "\n    token: not-a-token-of-this-cluster" : String($0) }
        try directory.write("config", lines.joined(separator: "\n"))
        let backend = try KubernetesBackend.connect(kubeconfig: directory.path + "/config")
        do {
            _ = try await backend.sessions()
            Issue.record("a made-up token was accepted")
        } catch let error as BackendError {
            #expect(error.kind == .unreachable && error.message.contains("did not accept nalabo's credentials"), "\(error)")
        }
    }

    @Test func interruptingUpDeletesTheNamespace() async throws {
        let lab = try Lab(busyboxSpec(slug: "k8s-slow-setup", setup: slowSetup))
        let backend = try TestCluster.backend()
        let up = try Nalabo.start(["up", lab.path], environment: lab.environment.merging(TestCluster.environment) { $1 })
        // Wait (bounded) until the session's Pod runs its setup, then press Ctrl-C.
        var session: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while session == nil && ContinuousClock.now < deadline {
            session = try await backend.sessions().first { $0.metadata.workshop == "k8s-slow-setup" }?.id
            try await Task.sleep(for: .milliseconds(300))
        }
        let id = try #require(session, "no namespace appeared within 60 s")
        while ContinuousClock.now < deadline, lab.store.all().sessions.first?.handle == nil {
            try await Task.sleep(for: .milliseconds(300))
        }
        try await Task.sleep(for: .seconds(1))
        let pressed = ContinuousClock.now
        up.signal(SIGINT)
        let result = try await up.finished()
        #expect(result.status == 130, "\(result.stderr)")
        // The namespace is gone (its deletion waited for), and so is the local record.
        #expect(ContinuousClock.now - pressed < .seconds(70))
        #expect(try await !TestCluster.namespaceExists(id))
        #expect(lab.store.all().sessions.isEmpty)
    }

    @Test func aNamespaceStuckTerminatingIsReported() async throws {
        let lab = try Lab(busyboxSpec(slug: "stuck"))
        var backend = try TestCluster.backend()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(try lab.workshop(), options: .init(source: lab.path))
        let namespace = KubernetesLayout.namespace(record.id)
        // A finalizer nobody removes holds the namespace in Terminating, as a broken controller would.
        let hold: JSONValue = .object([("apiVersion", "v1"), ("kind", "Namespace"), ("metadata", .object([("name", .string(namespace))])),
                                       ("spec", .object([("finalizers", .array(["kubernetes", "nalabo.dev/test-hold"]))]))])
        try await backend.api.expect(.PUT, "/api/v1/namespaces/\(namespace)/finalize", body: hold)
        backend.deletionTimeout = .seconds(3)
        let problems = await backend.teardown(record.id)
        #expect(problems.count == 1 && problems[0].contains("still terminating"), "\(problems)")
        // Released, it goes.
        let release: JSONValue = .object([("apiVersion", "v1"), ("kind", "Namespace"), ("metadata", .object([("name", .string(namespace))])),
                                          ("spec", .object([("finalizers", .array([]))]))])
        try await backend.api.expect(.PUT, "/api/v1/namespaces/\(namespace)/finalize", body: release)
        backend.deletionTimeout = .seconds(60)
        #expect(await backend.teardown(record.id).isEmpty)
    }

    @Test func publishedPortsAreForwardedToLoopbackWhileKept() async throws {
        let spec = busyboxSpec(slug: "k8s-web", network: "isolated", containers: """
                - name: web
                  image: \(TestEngine.busybox)
                  shell: /bin/sh
                  ports: [8080]
                  resources: {cpus: 0.25, memory: 32Mi, pids: 64}
            """, setup: """
              setup:
                - run: 'mkdir -p /srv && echo served-by-the-pod > /srv/index.html && (httpd -p 8080 -h /srv &)'
                  container: web
            """)
        let lab = try Lab(spec)
        let backend = try TestCluster.backend()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(try lab.workshop(), options: .init(source: lab.path))
        let handle = try #require(record.handle)
        let url = try await backend.withPublishedPorts(handle) { ports -> String in
            let port = try #require(ports["web"]?.first)
            #expect(port.hostIP == "127.0.0.1" && port.port == 8080)
            for _ in 0..<2 {
                let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: port.url)))
                #expect(String(decoding: data, as: UTF8.self) == "served-by-the-pod\n")
            }
            return port.url
        }
        // Once the body is done, nothing listens there any more.
        await #expect(throws: (any Error).self) { _ = try await URLSession.shared.data(from: try #require(URL(string: url))) }
        #expect(await backend.teardown(record.id).isEmpty)
    }
}
