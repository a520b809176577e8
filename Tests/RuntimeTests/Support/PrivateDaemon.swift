import Foundation
import Runtime
import Testing

/// A Docker daemon of a test's own, so the test can stop and start it without disturbing the engine every
/// other test uses: its own data root, exec root, socket, pid file and default bridge interface, and no
/// iptables rules. (Not `--bridge none`: a daemon started that way deletes the host's docker0, which the shared
/// engine needs.) It gets the busybox test image from the shared engine (`docker save | docker load`).
final class PrivateDaemon {
    let directory: String
    var socket: String { directory + "/docker.sock" }
    var host: String { "unix://" + socket }
    /// Interface names are limited to 15 characters.
    let bridge = "nld" + String(UUID().uuidString.prefix(8)).lowercased()

    init() throws {
        // Unix socket paths are limited to 107 bytes: a short directory under /tmp.
        directory = "/tmp/nld-" + String(UUID().uuidString.prefix(8)).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        _ = try? Nalabo.runProcess("/bin/sh", ["-c", stopScript])
        _ = try? Nalabo.runProcess("/bin/sh", ["-c", "rm -rf '\(directory)'; ip link delete \(bridge) 2>/dev/null"])
    }

    /// Starts the daemon and waits until it answers.
    func start() async throws {
        let command = """
            ip link show \(bridge) >/dev/null 2>&1 || { ip link add \(bridge) type bridge && ip addr add 10.213.\(Int.random(in: 1...250)).1/24 dev \(bridge) && ip link set \(bridge) up; }
            setsid dockerd --data-root '\(directory)/data' --exec-root '\(directory)/exec' --pidfile '\(directory)/dockerd.pid' \
              --host '\(host)' --bridge \(bridge) --iptables=false --ip-masq=false --log-level warn \
              >>'\(directory)/dockerd.log' 2>&1 </dev/null &
            """
        #expect(try await Nalabo.executeProcess("/bin/sh", ["-c", command]).status == 0)
        for _ in 0..<150 {
            if let engine = try? await DockerEngine.connect(to: EngineEndpoint(transport: .unixSocket(path: socket), origin: "test")),
               (try? await engine.info()) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = (try? String(contentsOfFile: directory + "/dockerd.log", encoding: .utf8)) ?? ""
        throw Failure("the private dockerd did not come up:\n\(log.suffix(2000))")
    }

    /// Stops the daemon (SIGTERM, as a service manager would) and waits until it is gone.
    func stop() async throws {
        _ = try await Nalabo.executeProcess("/bin/sh", ["-c", stopScript])
    }

    private var stopScript: String {
        """
        pid=$(cat '\(directory)/dockerd.pid' 2>/dev/null) || exit 0
        kill -TERM "$pid" 2>/dev/null || exit 0
        for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
        kill -KILL "$pid"
        """
    }

    /// Copies an image from the shared engine into this one.
    func load(_ image: String) async throws {
        let result = try await Nalabo.executeProcess("/bin/sh", ["-c", "docker save '\(image)' | docker -H '\(host)' load -q"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func engine() async throws -> DockerEngine {
        try await DockerEngine.connect(to: EngineEndpoint(transport: .unixSocket(path: socket), origin: "test"))
    }
}
