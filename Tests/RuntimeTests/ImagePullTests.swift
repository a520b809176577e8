import Foundation
import Testing
@testable import Runtime

/// Pulling images for real, from a registry on 127.0.0.1 that the test runs (Fixtures/local-registry.py), so
/// no traffic leaves the machine.
@Suite(.serialized) struct ImagePullTests {
    /// A registry serving a one-off image that the engine does not have: a busybox root file system with a
    /// unique file, so its layer has to be downloaded.
    final class LocalRegistry {
        let directory: TemporaryDirectory
        let tag = "t" + String(UUID().uuidString.prefix(8)).lowercased()
        var port = 0
        var image: String { "127.0.0.1:\(port)/nalabo/pull-test:\(tag)" }

        init(breakBlobs: Bool = false) async throws {
            directory = try TemporaryDirectory()
            let source = "nalabo/pull-source:\(tag)"
            let build = try await host("""
                set -e
                docker create --name nalabo-pull-\(tag) \(TestEngine.busybox) sh >/dev/null
                docker export nalabo-pull-\(tag) | docker import -c 'CMD ["sh"]' -c 'LABEL unique=\(tag)' - \(source) >/dev/null
                docker rm nalabo-pull-\(tag) >/dev/null
                docker save \(source) -o '\(directory.path)/image.tar'
                docker rmi \(source) >/dev/null
                """)
            #expect(build.status == 0, "\(build.stderr)")
            let script = packageRoot + "/Tests/RuntimeTests/Fixtures/local-registry.py"
            let start = try await host("/usr/bin/python3 '\(script)' '\(directory.path)/image.tar' nalabo/pull-test \(tag) \(breakBlobs ? "--break-blobs" : "") >'\(directory.path)/port' 2>'\(directory.path)/log' &")
            #expect(start.status == 0)
            for _ in 0..<50 {
                if let text = try? String(contentsOfFile: directory.path + "/port", encoding: .utf8), let number = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    port = number
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw Failure("the local registry did not start: \((try? String(contentsOfFile: directory.path + "/log", encoding: .utf8)) ?? "")")
        }

        func removeImage() { _ = try? hostBlocking("docker rmi -f \(image) >/dev/null 2>&1") }

        /// Stops the registry and removes what it served.
        func stop() {
            removeImage()
            // By its unique image path: whatever wrapper started it, this finds the registry itself.
            let result = try? hostBlocking("pkill -f '\(directory.path)/[i]mage.tar'")  // [i]: not this shell's own command line
            #expect(result?.status == 0, "the registry was not running any more")
        }
    }

    static func lab(_ image: String) throws -> Lab {
        try Lab(busyboxSpec(slug: "pulled", containers: """
                - name: box
                  image: \(image)
                  shell: /bin/sh
            """))
    }

    @Test func aMissingImageIsPulledWithProgressInEachOutputMode() async throws {
        let registry = try await LocalRegistry()
        defer { registry.stop() }
        let lab = try Self.lab(registry.image)

        // JSON events on standard output, ending with the ready session.
        let json = try await lab.nalabo(["up", lab.path, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let events = json.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let downloading = events.filter { $0["event"] as? String == "pull" && $0["status"] as? String == "Downloading" }
        #expect(!downloading.isEmpty, "\(json.stdout)")
        #expect(downloading.allSatisfy { ($0["current"] as? Int ?? 0) > 0 && ($0["total"] as? Int ?? 0) > 0 && $0["layer"] is String })
        #expect(events.contains { $0["event"] as? String == "pull" && $0["status"] as? String == "Pull complete" })
        #expect(events.contains { $0["event"] as? String == "pulled" && $0["image"] as? String == registry.image })
        #expect(events.last?["event"] as? String == "ready")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)

        // Plain lines when standard error is not a terminal.
        registry.removeImage()
        let plain = try await lab.nalabo(["up", lab.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("  pulling \(registry.image)\n"))
        #expect(plain.stderr.contains(": Pull complete\n") && plain.stderr.contains("  pulled \(registry.image)\n"))
        #expect(!plain.stderr.contains("\u{1B}["))
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)

        // Nothing with --quiet but the session id.
        registry.removeImage()
        let quiet = try await lab.nalabo(["up", lab.path, "-q"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 10)
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)

        // Redrawn per-layer progress on a terminal.
        registry.removeImage()
        let terminal = try await Nalabo.runOnTerminal(["up", lab.path], in: lab.path, environment: lab.environment)
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("pulling \(registry.image)"))
        #expect(terminal.stdout.contains("\u{1B}[2K") && terminal.stdout.contains("Pull complete"), "\(terminal.stdout)")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test func aRegistryErrorInsideASuccessfulAnswerFailsThePull() async throws {
        let engine = try await TestEngine.connect()
        let registry = try await LocalRegistry(breakBlobs: true)
        defer { registry.stop() }
        let lab = try Self.lab(registry.image)
        let up = try await lab.nalabo(["up", lab.path])
        #expect(up.status == 2, "\(up.stderr)")
        #expect(up.stderr.contains("the image \(registry.image) is not on this machine and could not be pulled: "))
        #expect(up.stderr.contains("scripts/offline-images"))
        #expect(lab.store.all().sessions.isEmpty)
        #expect(try await engine.containers(labelled: "\(DockerLayout.Label.workshop)=pulled@1.0.0").isEmpty)
        // The engine's own client gets the same error from the stream.
        #expect(try await !engine.imageExists(registry.image))
    }
}
