import Foundation
import Runtime
import Testing

/// A Docker daemon of a test's own, so the test can stop and start it without disturbing the engine every
/// other test uses: its own data root, exec root, socket and pid file; no default bridge and no iptables
/// rules. It gets the busybox test image from the shared engine (`docker save | docker load`).
final class PrivateDaemon {
    let directory: String
    var socket: String { directory + "/docker.sock" }
    var host: String { "unix://" + socket }

    init() throws {
        // Unix socket paths are limited to 107 bytes: a short directory under /tmp.
        directory = "/tmp/nld-" + String(UUID().uuidString.prefix(8)).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        _ = try? stop()
        _ = try? Nalabo.runProcess("/bin/sh", ["-c", "rm -rf '\(directory)'"])
    }

    /// Starts the daemon and waits until it answers.
    func start() async throws {
        let command = """
            setsid dockerd --data-root '\(directory)/data' --exec-root '\(directory)/exec' --pidfile '\(directory)/dockerd.pid' \
              --host '\(host)' --bridge none --iptables=false --ip-masq=false --log-level warn \
              >>'\(directory)/dockerd.log' 2>&1 </dev/null &
            """
        #expect(try Nalabo.runProcess("/bin/sh", ["-c", command]).status == 0)
        for _ in 0..<150 {
            if let engine = try? await DockerEngine.connect(to: EngineEndpoint(transport: .unixSocket(path: socket), origin: "test")),
               (try? await engine.info()) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = (try? String(contentsOfFile: directory + "/dockerd.log", encoding: .utf8)) ?? ""
        throw Failure("the private dockerd did not come up:\n\(log.suffix(2000))")
    }

    /// Stops the daemon (SIGTERM, as a service manager would) and waits until it is gone.
    func stop() throws {
        let script = """
            pid=$(cat '\(directory)/dockerd.pid' 2>/dev/null) || exit 0
            kill -TERM "$pid" 2>/dev/null || exit 0
            for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
            kill -KILL "$pid"
            """
        _ = try Nalabo.runProcess("/bin/sh", ["-c", script])
    }

    /// Copies an image from the shared engine into this one.
    func load(_ image: String) throws {
        let result = try Nalabo.runProcess("/bin/sh", ["-c", "docker save '\(image)' | docker -H '\(host)' load -q"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func engine() async throws -> DockerEngine {
        try await DockerEngine.connect(to: EngineEndpoint(transport: .unixSocket(path: socket), origin: "test"))
    }
}
