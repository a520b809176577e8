import Foundation
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// The lifecycle through the portal (docs/spec.md, "Lifecycle"), on the real engine and catalogue: a reading-only
/// step is left with Next, a later step's challenge waits for it, partial credit is the same in the check's
/// JSON and in the catalogue's score.
@Suite(.serialized) struct PortalLifecycleTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: steps, title: Steps, version: 1.0.0}
        environment:
          network: none
          containers:
            - name: box
              image: nalabo/busybox:test
              shell: /bin/sh
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
        limits: {session: 30m}
        steps:
          - id: read
            title: Read first
            content: Nothing to do yet.
          - id: work
            title: Work
            content: Make two files.
            setup: {run: touch /tmp/entered-work}
            challenges:
              - id: files
                title: Two files
                checks: [{run: test -f /tmp/entered-work, points: 3}, {run: test -f /tmp/second, points: 5}]
                solve: {run: touch /tmp/second}
        """

    @Test func aReadingStepIsLeftWithNextAndPartialCreditReachesTheCatalogue() async throws {
        try await PortalHarness.with(backend: try await DockerBackend.connect()) { portal in
            try portal.publish(Self.spec)
            try portal.cluster.asOwner().createEvent(EventDefinition(name: "steps-class", workshops: ["alice/steps"], capacity: 5))
            try portal.learner("bob")
            try portal.learner("carol")
            let bob = portal.client()
            try await bob.login("bob")
            let carol = portal.client()
            try await carol.login("carol")
            let started = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/steps@1.0.0", "event": "steps-class"])
            let id = try #require(started.json["id"] as? String, "\(started.body)")

            // Step 1 is reading only: the challenge of step 2 has not started, and the page offers Next.
            let early = try await bob.send(.POST, "/api/sessions/\(id)/check", json: [:])
            let waiting = try #require((early.json["challenges"] as? [[String: Any]])?.first)
            #expect(waiting["state"] as? String == "locked" && waiting["waitingForStep"] as? String == "work", "\(early.body)")
            #expect(early.json["step"] as? Int == 1)
            let page = try await bob.send(.GET, "/sessions/\(id)")
            #expect(page.body.contains("data-action=\"next\"") && page.body.contains("data-step=\"1\""), "\(page.body)")
            #expect(!page.body.contains("Make two files."), "a step not reached yet is listed, not shown")
            #expect(try await carol.send(.POST, "/api/sessions/\(id)/next").status == 404)

            // Next enters step 2: its setup runs, so the first check passes at once; the other does not.
            let next = try await bob.send(.POST, "/api/sessions/\(id)/next", json: ["from": 1])
            #expect(next.status == 200 && next.json["step"] as? Int == 2 && next.json["step_id"] as? String == "work", "\(next.body)")
            // A second tab still showing step 1 presses Next too: it is told where the learner is, nothing is skipped.
            for bad in [0, -1, Int.min] {
                let refused = try await bob.send(.POST, "/api/sessions/\(id)/next", json: ["from": bad])
                #expect(refused.status == 400 && refused.errorMessage.contains("a step number"), "\(bad): \(refused.body)")
            }
            let stale = try await bob.send(.POST, "/api/sessions/\(id)/next", json: ["from": 1])
            #expect(stale.status == 409 && stale.errorMessage.contains("already on step 2, not step 1"), "\(stale.body)")
            let partial = try await bob.send(.POST, "/api/sessions/\(id)/check", json: [:])
            let graded = try #require((partial.json["challenges"] as? [[String: Any]])?.first)
            #expect(graded["state"] as? String == "failed" && graded["points"] as? Int == 3 && partial.json["score"] as? Int == 3, "\(partial.body)")
            let refused = try await bob.send(.POST, "/api/sessions/\(id)/next")
            #expect(refused.status == 409 && refused.errorMessage.contains("the last step"), "\(refused.body)")
            let page2 = try await bob.send(.GET, "/sessions/\(id)")
            #expect(page2.body.contains("Make two files.") && page2.body.contains("data-step=\"2\""))

            // The catalogue's score is the same partial credit.
            let ended = try await bob.send(.DELETE, "/api/sessions/\(id)")
            #expect(ended.status == 200, "\(ended.body)")
            let recorded = try portal.cluster.superuserConnection().execute(
                "SELECT score FROM nalabo.workshop_sessions WHERE id = $1::uuid", [id]).records.first
            #expect(recorded?["score"] == "3", "\(String(describing: recorded))")
        }
    }
}
