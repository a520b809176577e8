import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

/// A learner runs a published workshop: `nalabo up OWNER/SLUG@VERSION` on the real engine, with every
/// attempt, the skip and the session's end recorded in the catalogue.
@Suite struct LearnerSessionTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: tiny, title: Tiny, version: 1.0.0}
        environment:
          network: none
          containers:
            - name: box
              image: nalabo/busybox:test
              shell: /bin/sh
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
        limits: {session: 30m}
        steps:
          - id: only
            title: Only
            content: Make two files.
            challenges:
              - id: first
                title: First file
                checks: [{run: test -f /tmp/first, points: 4}]
                solve: {run: touch /tmp/first}
              - id: second
                title: Second file
                checks: [{run: test -f /tmp/second, points: 6}]
                solve: {run: touch /tmp/second}
        """

    @Test func progressOfAPublishedWorkshopIsRecordedInTheCatalogue() async throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        let files = try TemporaryDirectory()
        try files.write("tiny/workshop.yaml", Self.spec)
        let state = try TemporaryDirectory()
        let alice = CatalogueCommandTests.environment(cluster, "alice")
        var bob = CatalogueCommandTests.environment(cluster, "bob")
        bob["XDG_STATE_HOME"] = state.path
        #expect(try await Nalabo.execute(["publish", files.path + "/tiny"], environment: alice).status == 0)

        let up = try await Nalabo.execute(["up", "alice/tiny@1.0.0", "-q"], environment: bob)
        #expect(up.status == 0, "\(up.stderr)")
        let failed = try await Nalabo.execute(["check", "first"], environment: bob)
        #expect(failed.status == 1)
        #expect(try await Nalabo.execute(["solve", "second"], environment: bob).status == 0)
        let sessions = try cluster.as("bob").sessions()
        #expect(sessions.count == 1 && sessions.first?.status == "active")

        // Done for real by the learner, through a shell in the container.
        let shell = try await Nalabo.executeProcess("/bin/sh", ["-c", "echo 'touch /tmp/first' | \"$0\" shell", Nalabo.executable], environment: bob)
        #expect(shell.status == 0, "\(shell.stderr)")
        #expect(try await Nalabo.execute(["check"], environment: bob).status == 0)
        #expect(try await Nalabo.execute(["down", "-q"], environment: bob).status == 0)

        let stats = try cluster.as("alice").stats(try #require(WorkshopAddress("alice/tiny")))
        #expect(stats.sessionsStarted == 1 && stats.sessionsCompleted == 1)
        let first = try #require(stats.challenges.first { $0.id == "first" })
        #expect(first.attempts == 2 && first.passed == 1)
        let ended = try #require(try cluster.as("bob").sessions().first)
        #expect(ended.status == "completed")
        #expect(ended.score == 4)
    }

    @Test func upRefusesAWorkshopBeyondItsOwnersCurrentPlanBeforeAnythingStarts() async throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice", plan: "pro")
        try cluster.user("bob")
        try cluster.user("carol", role: .admin)
        let files = try TemporaryDirectory()
        // Fits pro (2 CPUs), not free (1).
        try files.write("tiny/workshop.yaml", Self.spec.replacingOccurrences(of: "cpus: 0.5", with: "cpus: 2"))
        let state = try TemporaryDirectory()
        var bob = CatalogueCommandTests.environment(cluster, "bob")
        bob["XDG_STATE_HOME"] = state.path
        #expect(try await Nalabo.execute(["publish", files.path + "/tiny"], environment: CatalogueCommandTests.environment(cluster, "alice")).status == 0)
        try cluster.as("carol").setPlan("alice", to: "free")

        let up = try await Nalabo.execute(["up", "alice/tiny@1.0.0"], environment: bob)
        #expect(up.status == 6, "\(up.stderr)")
        #expect(up.stderr.contains("alice/tiny@1.0.0 exceeds its owner's plan and cannot run: container box: cpus 2 (at most 1)"), "\(up.stderr)")
        // Nothing was started: no local session, no catalogue session.
        #expect(try await Nalabo.execute(["sessions"], environment: bob).stdout.contains("no sessions"))
        #expect(try cluster.as("bob").sessions().isEmpty)
    }
}
