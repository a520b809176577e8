import Foundation
import Testing
@testable import Runtime
import WorkshopSpec

/// Every isolation promise, checked from inside real containers on the real engine.
@Suite struct ContainerIsolationTests {
    /// `capabilities:` adds to the kept set what sshd (SYS_CHROOT) and sudo (AUDIT_WRITE) need; nothing else moves.
    @Test func aContainerGetsTheCapabilitiesItAsksForAndOnlyThose() async throws {
        let engine = try await TestEngine.connect()
        let asking = busyboxSpec(containers: """
                - name: box
                  image: \(TestEngine.busybox)
                  shell: /bin/sh
                  resources: {cpus: 0.5, memory: 64Mi, pids: 64}
                  capabilities: [SYS_CHROOT, AUDIT_WRITE, CHOWN]
            """)
        for (spec, granted) in [(asking, true), (busyboxSpec(), false)] {
            let lab = try Lab(spec)
            try await lab.withSession(engine) { session in
                let status = try await lab.shell(engine, session, "cat /proc/self/status").stdout.text
                // The kept set (0x4fb) plus SYS_CHROOT (bit 18) and AUDIT_WRITE (bit 29) when asked for.
                let expected = granted ? "00000000200404fb" : "00000000000004fb"
                #expect(field("CapEff", in: status) == expected && field("CapBnd", in: status) == expected, "\(status)")
                let chroot = try await lab.shell(engine, session, "chroot / /bin/true")
                #expect((chroot.exitCode == 0) == granted, "\(chroot.stderr.text)")
                #expect(field("NoNewPrivs", in: status) == "1")
            }
        }
    }

    @Test func capabilitiesAreDroppedPrivilegesCannotGrowAndNoHostPathIsMounted() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec())
        try await lab.withSession(engine) { session in
            let status = try await lab.shell(engine, session, "cat /proc/self/status").stdout.text
            // CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID and NET_BIND_SERVICE: bits 0,1,3,4,5,6,7,10.
            #expect(field("CapEff", in: status) == "00000000000004fb")
            #expect(field("CapBnd", in: status) == "00000000000004fb")
            #expect(field("NoNewPrivs", in: status) == "1")
            #expect(field("Seccomp", in: status) == "2")
            // A non-root exec has no capabilities at all.
            let nobody = try await lab.shell(engine, session, "cat /proc/self/status", user: "65534").stdout.text
            #expect(field("CapEff", in: nobody) == "0000000000000000")

            // Mounts: the image's root, the kernel's pseudo file systems, the three files the engine writes for
            // every container (resolv.conf, hostname, hosts) and nalabo-init's volume, read-only (or, only when
            // nalabo-init is missing, the engine's init binary); nothing else.
            let mounts = try await lab.shell(engine, session, "cat /proc/mounts").stdout.text
            let allowedFiles: Set<String> = ["/etc/resolv.conf", "/etc/hostname", "/etc/hosts"]
            let pseudo: Set<String> = ["proc", "tmpfs", "devpts", "sysfs", "cgroup", "cgroup2", "mqueue", "overlay", "shm", "devtmpfs"]
            for line in mounts.split(separator: "\n") {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count >= 3 else { continue }
                let (point, type) = (parts[1], parts[2])
                // The root is the image's, on whatever the engine's storage is (overlay, btrfs, ...).
                if point == "/" { continue }
                // nalabo-init's engine volume, read-only.
                if point == "/.nalabo" {
                    #expect(parts[3].hasPrefix("ro,"), "nalabo-init's volume must be read-only: \(line)")
                    continue
                }
                if point == "/sbin/docker-init" {
                    #expect(parts[3].hasPrefix("ro,"), "the engine's init must be read-only: \(line)")
                    continue
                }
                #expect(pseudo.contains(type) || allowedFiles.contains(point), "unexpected mount: \(line)")
            }
            #expect(!mounts.contains("docker.sock"))
            // Raw sockets need NET_RAW, which is dropped.
            let ping = try await lab.shell(engine, session, "ping -c 1 127.0.0.1 2>&1; echo status=$?")
            #expect(ping.stdout.text.contains("status=1") || ping.stdout.text.contains("status=2"), "\(ping.stdout.text)")
        }
    }

    /// The common layout "the learner is a normal user, lifecycle scripts run as root": Docker gives an exec as
    /// root in a non-root container no capabilities, so such a container runs as root and everything that names
    /// no user (checks, the terminal) runs as the learner's user, without any.
    @Test func rootScriptsInALearnerUserContainerHaveTheContainersCapabilities() async throws {
        let spec = busyboxSpec(slug: "learner-user", containers: """
                - name: box
                  image: \(TestEngine.busybox)
                  shell: /bin/sh
                  user: "1000:1000"
                  resources: {cpus: 0.5, memory: 64Mi, pids: 64}
            """, setup: """
              setup:
                - run: 'mkdir -p /srv/owned && chown 1000:1000 /srv/owned'
                  container: box
                  user: root
            """, challenges: """
                  - id: mine
                    title: Mine
                    checks:
                      - run: 'test "$(id -u)" = 1000 && test "$(stat -c %u /srv/owned)" = 1000'
            """)
        let lab = try Lab(spec)
        let backend = try await DockerBackend.connect()
        let record = try await SessionProvisioner(backend: backend, store: lab.store).up(try lab.workshop(), options: .init(source: lab.path))
        do {
            let handle = try #require(record.handle)
            let root = try await backend.exec(MemberExec(member: "box", command: ["/bin/sh", "-c", "cat /proc/self/status"], user: "root",
                                                         timeLimit: .seconds(10)), in: handle)
            #expect(field("CapEff", in: root.stdout.text) == "00000000000004fb")
            let learner = try await backend.exec(MemberExec(member: "box", command: ["/bin/sh", "-c", "id -u; cat /proc/self/status"],
                                                            timeLimit: .seconds(10)), in: handle)
            #expect(learner.stdout.text.hasPrefix("1000\n"))
            #expect(field("CapEff", in: learner.stdout.text) == "0000000000000000")
            let report = try await Grader(backend: backend, store: lab.store).check(record, workshop: try lab.workshop())
            #expect(report.challenges.first?.state == .passed, "\(report.challenges)")
            let terminal = try await backend.attachTerminal(member: "box", command: ["id", "-u"], in: handle, size: nil)
            var said = ""
            for try await chunk in terminal.output { said += String(decoding: chunk, as: UTF8.self) }
            #expect(said == "1000\n")
        } catch {
            _ = await backend.teardown(record.id)
            throw error
        }
        _ = await backend.teardown(record.id)
    }

    static let hostile = busyboxSpec(challenges: """
              - id: bomb
                title: Fork bomb
                checks:
                  - run: "bomb() { bomb | bomb & }; bomb; sleep 5"
                    timeout: 3s
              - id: hog
                title: Memory hog
                checks:
                  - run: "dd if=/dev/zero of=/dev/null bs=200M count=1"
                    timeout: 20s
        """)

    @Test func aForkBombHitsThePIDLimitAndTheSessionSurvives() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.hostile)
        try await lab.withSession(engine) { session in
            let results = try await lab.runCheck(engine, session, challenge: "bomb")
            #expect(results.count == 1)
            let events = try await lab.shell(engine, session, "cat /sys/fs/cgroup/pids/pids.events /sys/fs/cgroup/pids.events 2>/dev/null").stdout.text
            let refused = Int(field("max", in: events.replacingOccurrences(of: "max ", with: "max:")) ?? "0") ?? 0
            #expect(refused > 0, "the PID limit was never reached: \(events)")
            // Nothing of the bomb is left, and the container still works. Killed processes are zombies until the
            // container's init reaps them (on a loaded machine that can lag), so only live ones count, and the
            // count may take a few seconds to settle.
            var processes = ""
            for _ in 0..<20 {
                processes = try await lab.shell(engine, session, "ps -o stat= | grep -cv '^Z'").stdout.text
                if (Int(processes.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) < 10 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect((Int(processes.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) < 10, "processes left: \(processes)")
            #expect(try await lab.shell(engine, session, "echo alive").stdout.text == "alive\n")
        }
        // The host is fine too: its own commands still run.
        #expect(try await host("echo host-alive").stdout == "host-alive\n")
    }

    @Test func allocatingPastTheMemoryLimitIsKilledAndReportedInPlainWords() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.hostile)
        try await lab.withSession(engine) { session in
            let results = try await lab.runCheck(engine, session, challenge: "hog")
            let result = try #require(results.first)
            #expect(result.outOfMemory)
            #expect(!result.passed)
            #expect(result.reason == "a process was killed because the container ran out of memory")
            #expect(try await lab.shell(engine, session, "echo alive").stdout.text == "alive\n")
            // A learner's own command that runs out of memory shows in `nalabo status`, in plain words.
            _ = try await lab.shell(engine, session, "dd if=/dev/zero of=/dev/null bs=200M count=1")
            let handle = try #require(session.handle)
            let health = try #require(try await DockerBackend(engine: engine).health(handle)[session.containers[0].name])
            #expect(health.running && (health.outOfMemoryKills ?? 0) >= 2)
            let status = try await lab.nalabo(["status", "--session", session.id, "--color", "never"])
            #expect(status.stdout.contains("box: running — \(health.outOfMemoryKills ?? 0) processes were killed because the container ran out of memory (limit 64Mi)"), "\(status.stdout)")
        }
    }

    @Test func networkNoneLeavesOnlyLoopback() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec())
        try await lab.withSession(engine) { session in
            let devices = try await lab.shell(engine, session, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '").stdout.text
            #expect(devices == "lo\n")
            #expect(try await lab.shell(engine, session, "tail -n +2 /proc/net/route").stdout.text == "")
            // The container's own name resolves all the same (sudo looks it up), to loopback.
            let own = try await lab.shell(engine, session, "grep -w \"$(hostname)\" /etc/hosts").stdout.text
            #expect(own.hasPrefix("127.0.1.1"), "\(own)")
        }
    }

    static func isolatedSpec(slug: String, ports: String = "") -> String {
        busyboxSpec(slug: slug, network: "isolated", containers: """
                - name: server
                  image: nalabo/busybox:test
                  shell: /bin/sh
                  \(ports)
                - name: client
                  image: debian:bookworm-slim
            """, setup: """
              setup:
                - container: server
                  run: "nc -ll -p 7000 -e echo pong-from-$(hostname) >/dev/null 2>&1 &"
            """)
    }

    @Test func isolatedContainersReachEachOtherByNameButNotAnotherSession() async throws {
        let engine = try await TestEngine.connect()
        let first = try Lab(Self.isolatedSpec(slug: "first"))
        let second = try Lab(Self.isolatedSpec(slug: "second"))
        try await first.withSession(engine) { one in
            try await second.withSession(engine) { two in
                let byName = try await first.shell(engine, one, "timeout 5 bash -c 'exec 3<>/dev/tcp/server/7000; cat <&3'", container: "client")
                #expect(byName.stdout.text == "pong-from-server\n", "\(byName.stderr.text)")
                // The other session's server, by its address on its own network.
                let otherServer = try #require(two.handle?.members["server"])
                let address = try #require(try await engine.inspectContainer(otherServer).addresses.values.first)
                let across = try await first.shell(engine, one, "timeout 2 bash -c 'exec 3<>/dev/tcp/\(address)/7000; cat <&3' 2>&1; echo status=$?", container: "client")
                #expect(!across.stdout.text.contains("pong"))
                #expect(across.stdout.text.contains("status=") && !across.stdout.text.contains("status=0"))
            }
        }
    }

    @Test func anIsolatedSessionServesItsPortsOnLoopbackWhileItsContainersCannotGetOut() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.isolatedSpec(slug: "ported", ports: "ports: [7000]"))
        // An "outside" the session should not reach: a listener on a bridge network this test creates.
        let outsideNetwork = "nalabo-test-outside-\(UUID().uuidString.prefix(8).lowercased())"
        let labels = ["dev.nalabo.test": "outside"]
        _ = try await engine.createNetwork(NetworkSpec(name: outsideNetwork, isInternal: false, labels: labels))
        let listener = try await engine.createContainer(ContainerSpec(
            name: outsideNetwork, image: TestEngine.busybox, hostname: "outside",
            command: ["/bin/sh", "-c", "nc -ll -p 9000 -e echo outside"], user: nil, workdir: nil, env: [], labels: labels,
            network: outsideNetwork, aliases: [], ports: [], limits: ContainerLimits(memoryBytes: 32 << 20, nanoCPUs: 250_000_000, pids: 32),
            capabilities: [], readOnlyRootFilesystem: true))
        do {
            try await engine.startContainer(listener)
            let outside = try #require(try await engine.inspectContainer(listener).addresses[outsideNetwork])
            try await lab.withSession(engine) { session in
                // Half one: the port is served on 127.0.0.1, through the gateway, and only there.
                let port = try #require(session.container("server")?.ports.first)
                #expect(port.port == 7000 && port.hostIP == "127.0.0.1")
                let served = try await host("timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/\(port.hostPort); cat <&3'")
                #expect(served.stdout == "pong-from-server\n", "\(served.stderr)")
                let listening = try await host("ss -ltnH 'sport = :\(port.hostPort)'").stdout
                #expect(listening.contains("127.0.0.1:\(port.hostPort)") && !listening.contains("0.0.0.0:\(port.hostPort)") && !listening.contains("*:\(port.hostPort)"))
                // Half two: from inside, the outside listener is unreachable.
                let probe = try await lab.shell(engine, session, "timeout 2 bash -c 'exec 3<>/dev/tcp/\(outside)/9000; cat <&3' 2>&1; echo status=$?", container: "client")
                #expect(!probe.stdout.text.contains("outside\n"), "\(probe.stdout.text)")
                #expect(!probe.stdout.text.contains("status=0"))
                // The learner containers are on the internal network only.
                let client = try #require(session.handle?.members["client"])
                #expect(try await engine.inspectContainer(client).addresses.keys.sorted() == ["nalabo-\(session.id)"])
            }
        } catch {
            try? await engine.removeContainer(listener)
            try? await engine.removeNetwork(outsideNetwork)
            throw error
        }
        try await engine.removeContainer(listener)
        try await engine.removeNetwork(outsideNetwork)
    }

    @Test func internetSessionsPublishPortsOnLoopbackOnly() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(network: "internet", containers: """
                - name: web
                  image: nalabo/busybox:test
                  shell: /bin/sh
                  ports: [8080]
            """, setup: """
              setup:
                - run: "nc -ll -p 8080 -e echo hello >/dev/null 2>&1 &"
            """))
        try await lab.withSession(engine) { session in
            let port = try #require(session.container("web")?.ports.first)
            #expect(port.hostIP == "127.0.0.1" && port.hostPort > 0)
            // `status --format json` names the URL too.
            let status = try await lab.nalabo(["status", "--session", session.id, "--format", "json"])
            #expect(status.stdout.contains(#""url":"http://127.0.0.1:\#(port.hostPort)/""#), "\(status.stdout)")
            #expect(try await host("timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/\(port.hostPort); cat <&3'").stdout == "hello\n")
            let devices = try await lab.shell(engine, session, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort").stdout.text
            #expect(devices == "eth0\nlo\n")
        }
    }
}
