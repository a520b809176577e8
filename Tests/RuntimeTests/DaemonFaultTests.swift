import Foundation
import Testing
@testable import Runtime

/// The engine going away under nalabo, on a daemon of the test's own.
@Suite(.serialized) struct DaemonFaultTests {
    @Test func aDaemonRestartedDuringUpGivesAClearErrorAndPruneLeavesNoOrphans() async throws {
        let daemon = try PrivateDaemon()
        try await daemon.start()
        try await daemon.load(TestEngine.busybox)
        let lab = try Lab(busyboxSpec(slug: "restart", setup: slowSetup))
        let environment = ["DOCKER_HOST": daemon.host]
        let up = try Nalabo.start(["up", lab.path], environment: lab.environment.merging(environment) { _, new in new })
        // Stop the daemon while setup runs.
        let engine = try await daemon.engine()
        let id = try await waitForSession(labelled: DockerLayout.Label.session, on: engine)
        // Until the setup script runs, on a loaded machine too.
        let container = try #require(try await engine.containers(labelled: "\(DockerLayout.Label.session)=\(id)").first?.id)
        for _ in 0..<100 {
            let processes = try? await engine.exec(ExecRequest(container: container, command: ["ps", "-o", "args="], timeLimit: .seconds(5)))
            if processes?.stdout.text.contains("sleep 60") == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await daemon.stop()

        let result = try await up.finished()
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("the Docker daemon at \(daemon.host)"), "\(result.stderr)")
        #expect(result.stderr.contains("`nalabo prune` removes what is left"), "\(result.stderr)")

        // Down while the daemon is down: the same clear error.
        let status = try await lab.nalabo(["prune"], environment: environment)
        #expect(status.status == 3 && status.stderr.contains("is unreachable"))

        try await daemon.start()
        let restarted = try await daemon.engine()
        #expect(!(try await objects(of: id, on: restarted)).isEmpty, "the stopped session's objects should still be there")
        let pruned = try await lab.nalabo(["prune"], environment: environment)
        #expect(pruned.status == 0, "\(pruned.stdout)\(pruned.stderr)")
        #expect(pruned.stdout.contains("removed orphaned session \(id)"))
        #expect(try await objects(of: id, on: restarted).isEmpty)
        #expect(try await restarted.containers(labelled: DockerLayout.Label.session).isEmpty)
        #expect(lab.store.all().sessions.isEmpty)
        try await daemon.stop()
    }

    @Test func aCrashedUpIsPrunedAsAnOrphan() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(slug: "crashed-up", setup: slowSetup))
        let up = try Nalabo.start(["up", lab.path], environment: lab.environment)
        let id = try await waitForSession(labelled: "\(DockerLayout.Label.workshop)=crashed-up@1.0.0", on: engine)
        // A kill that no program can clean up after.
        up.signal(SIGKILL)
        _ = try await up.finished()
        #expect(try lab.store.load(id)?.status == .starting)
        let pruned = try await lab.nalabo(["prune", "--workshop", "crashed-up"])
        #expect(pruned.stdout.contains("removed orphaned session \(id)"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(try await objects(of: id, on: engine).isEmpty)
        #expect(lab.store.all().sessions.isEmpty)
    }
}
