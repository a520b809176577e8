import Foundation
import Synchronization
import Testing
@testable import Runtime
import WorkshopSpec

/// The attacks of the security review, performed for real from inside learner containers (root in them): the
/// host's own services, its disk, and a session's expiry must be out of a learner's reach.
@Suite struct HostileLearnerTests {
    /// A learner's view: the debian image, which has bash for /dev/tcp probes.
    static func spec(network: String, resources: String = "{cpus: 0.5, memory: 128Mi, pids: 64}") -> String {
        busyboxSpec(slug: "hostile-\(network)", network: network, containers: """
                - name: box
                  image: debian:bookworm-slim
                  resources: \(resources)
            """)
    }

    @Test(arguments: ["none", "isolated", "internet"])
    func theHostsOwnServicesAreUnreachable(network: String) async throws {
        let engine = try await TestEngine.connect()
        let listener = try HostListener()
        defer { listener.close() }
        // Every IPv4 address of this host but loopback (a container's 127.0.0.1 is its own): eth0, docker0, the
        // bridges of other sessions and of this one.
        let hostAddresses = HostListener.addresses()
        #expect(!hostAddresses.isEmpty)
        // The probe's own sanity: the listener answers on the host.
        #expect(try await host("timeout 2 bash -c 'exec 3<>/dev/tcp/\(hostAddresses[0])/\(listener.port)' && echo open").stdout == "open\n")

        let lab = try Lab(Self.spec(network: network))
        let warnings = Mutex<[String]>([])
        let session = try await lab.up(engine) { event in
            if case .notEnforced(let protection, let reason) = event { warnings.withLock { $0.append("\(protection): \(reason)") } }
        }
        do {
            // As root (these tests run as root, as CI does) nalabo makes sure of the host rule itself.
            #expect(warnings.withLock { $0.filter { $0.hasPrefix("hostServices") } }.isEmpty, "\(warnings.withLock { $0 })")
            // And every address the container itself can see: its routes' gateways and its own networks.
            let gateways = try await lab.shell(engine, session, """
                awk 'NR > 1 && $3 != "00000000" { print $3 }' /proc/net/route | sort -u | while read -r hex; do
                  printf '%d.%d.%d.%d\\n' 0x${hex#??????} 0x$(echo $hex | cut -c5-6) 0x$(echo $hex | cut -c3-4) 0x$(echo $hex | cut -c1-2)
                done
                """).stdout.text.split(separator: "\n").map(String.init)
            let targets = Array(Set(hostAddresses + gateways)).sorted()
            let probe = try await lab.shell(engine, session, """
                for address in \(targets.joined(separator: " ")); do
                  if timeout 2 bash -c "exec 3<>/dev/tcp/$address/\(listener.port)" 2>/dev/null; then echo "reached $address"; else echo "refused $address"; fi
                done
                """)
            let lines = probe.stdout.text.split(separator: "\n").map(String.init)
            #expect(lines.count == targets.count, "\(probe.stdout.text) \(probe.stderr.text)")
            #expect(lines.allSatisfy { $0.hasPrefix("refused ") }, "\(network): \(lines)")
            // IPv6: the container has no address on its network to reach the host through.
            let inet6 = try await lab.shell(engine, session, "cat /proc/net/if_inet6 2>/dev/null | awk '$6 != \"lo\"'").stdout.text
            #expect(inet6.isEmpty, "\(inet6)")
        } catch {
            await lab.down(engine, session)
            throw error
        }
        await lab.down(engine, session)
    }

    @Test func writingPastTheDiskLimitFailsAndTheSessionAndHostAreFine() async throws {
        let engine = try await TestEngine.connect()
        let info = try await engine.info()
        try #require(info.canLimitDisk, """
            the engine's storage (\(info.storageDriver ?? "?") on \(info.backingFilesystem ?? "?")) cannot cap a container's disk; \
            scripts/start-docker puts it on xfs with pquota or btrfs with quotas
            """)
        let lab = try Lab(Self.spec(network: "none", resources: "{cpus: 0.5, memory: 128Mi, pids: 64, disk: 64Mi}"))
        try await lab.withSession(engine) { session in
            // The engine's filesystem, once the session is up (creating it writes too).
            let before = try freeBytes("/var/lib/docker")
            // 200 MiB into /tmp, which is the container's own filesystem.
            let fill = try await lab.shell(engine, session, "dd if=/dev/zero of=/tmp/fill bs=1M count=200 conv=fsync 2>&1; echo status=$?; stat -c %s /tmp/fill")
            let text = fill.stdout.text
            #expect(text.contains("No space left on device") || text.contains("Disk quota exceeded"), "\(text)")
            #expect(!text.contains("status=0"))
            let written = Int64(text.split(separator: "\n").last.map(String.init) ?? "") ?? .max
            #expect(written <= 64 << 20, "\(written) bytes written")
            // The host's free space is untouched beyond what the limit allows.
            let during = try freeBytes("/var/lib/docker")
            #expect(before - during < 96 << 20, "the host lost \(before - during) bytes")
            // The session stays usable: free the space, write again.
            let after = try await lab.shell(engine, session, "rm /tmp/fill && echo fine > /tmp/small && cat /tmp/small")
            #expect(after.stdout.text == "fine\n", "\(after.stderr.text)")
        }
    }

    @Test func aLearnerCannotKeepAnExpiredSessionRunning() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec(network: "none"))
        var options = SessionProvisioner.Options(source: lab.path)
        let expiry = Date().addingTimeInterval(60)  // room for a slow `up` when the whole suite runs on two cores
        options.expiresAt = expiry
        let session = try await SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store).up(lab.workshop(), options: options)
        do {
            // PID 1 is nalabo-init, and it reaps orphans: a background child of an exited shell leaves no zombie.
            #expect(try await lab.shell(engine, session, "cat /proc/1/comm").stdout.text == "nalabo-init\n")
            _ = try await lab.shell(engine, session, "sh -c 'sleep 0.2 &' ; sleep 1")
            let zombies = try await lab.shell(engine, session, "grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l")
            #expect(zombies.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            // Root in the container stops and kills everything it can see, PID 1 included.
            _ = try await lab.shell(engine, session, "kill -STOP 1; kill -KILL 1; kill -STOP -1; kill -KILL -1; true")
            let id = try #require(session.handle?.members[session.containers[0].name])
            // (A loaded machine may have spent most of the session's time in `up`: then only the end is checked.)
            if expiry.timeIntervalSinceNow > 2 {
                #expect(try await engine.inspectContainer(id).running, "the container went down before its time")
            }
            // It still ends at its expiry: within a few seconds of it, bounded by a minute.
            let deadline = expiry.addingTimeInterval(60)
            while try await engine.inspectContainer(id).running, Date() < deadline {
                try await Task.sleep(for: .milliseconds(250))
            }
            let stopped = Date()
            #expect(try await !engine.inspectContainer(id).running, "the container outlived its expiry by a minute")
            #expect(stopped.timeIntervalSince(expiry) < 5, "stopped \(stopped.timeIntervalSince(expiry)) s after expiry")
            #expect(stopped.timeIntervalSince(expiry) > -1, "stopped before its expiry")
        } catch {
            await lab.down(engine, session)
            throw error
        }
        await lab.down(engine, session)
    }

    private func freeBytes(_ path: String) throws -> Int64 {
        let values = try FileManager.default.attributesOfFileSystem(forPath: path)
        return (values[.systemFreeSize] as? NSNumber)?.int64Value ?? 0
    }
}

/// A TCP listener on 0.0.0.0 and an ephemeral port, as a host service that forgot to bind to loopback. It
/// never accepts: the kernel completes connections into its backlog, which is all a probe needs.
final class HostListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else { throw Failure("bind/listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }

    /// The host's IPv4 addresses, loopback left out.
    static func addresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var value = ipv4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &value, &buffer, socklen_t(buffer.count))
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { found.append(text) }
        }
        return Array(Set(found)).sorted()
    }
}

extension HostileLearnerTests {
    /// A check's output is the container's, where the learner is root: an OSC retitle, colours or a C1 CSI in it
    /// must not reach the terminal of whoever runs `nalabo check` (or `solve`).
    @Test func escapeSequencesFromAContainerNeverReachTheTerminal() async throws {
        let lab = try Lab(busyboxSpec(slug: "escapes", challenges: """
                  - id: loud
                    title: Loud
                    checks:
                      - run: "printf 'FAIL: \\\\033]0;owned\\\\007\\\\033[31mred\\\\302\\\\233 text\\\\n'; exit 1"
                    solve: {run: "printf '\\\\033[2J\\\\033]0;owned\\\\007solved\\\\n'"}
            """))
        #expect(try await lab.nalabo(["up", lab.path, "-q"]).status == 0)
        let check = try await lab.nalabo(["check", "--color", "never"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("]0;owned[31mred text"), "the line is shown, without its control characters: \(check.stdout)")
        let solve = try await lab.nalabo(["solve", "loud"])
        #expect(solve.stdout.contains("solved"), "\(solve.stdout)")
        for output in [check.stdout, check.stderr, solve.stdout, solve.stderr] {
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B },
                    "a control character reached the terminal: \(output.debugDescription)")
        }
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }
}
