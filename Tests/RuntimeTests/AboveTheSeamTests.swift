import Foundation
import Runtime
import Testing
import WorkshopSpec

/// What is written once above the seam, against the in-memory ``FakeBackend``: grading waves and locks,
/// keep-on-failure, the tester's phases, prune. Scripts touch files in the member's directory (`./done-a`).
@Suite struct AboveTheSeamTests {
    static func spec(setup: String = "", challenges: String) -> String {
        busyboxSpec(slug: "seam", setup: setup, challenges: challenges)
    }

    static let chain = spec(challenges: """
              - id: a
                title: A
                checks: [{run: "test -f done-a"}]
                solve: {run: "touch done-a"}
              - id: b
                title: B
                needs: [a]
                checks: [{run: "test -f done-b"}]
                solve: {run: "touch done-b"}
        """)

    func provisioner(_ lab: Lab, _ backend: FakeBackend) -> SessionProvisioner {
        SessionProvisioner(backend: backend, store: lab.store)
    }

    @Test func aChallengeIsLockedUntilItsNeedsPassAndUnlocksInTheSameCheck() async throws {
        let lab = try Lab(Self.chain)
        let backend = try FakeBackend()
        let session = try await provisioner(lab, backend).up(lab.workshop(), options: .init(source: lab.path))
        let grader = Grader(backend: backend, store: lab.store)

        let first = try await grader.check(session, workshop: lab.workshop())
        #expect(first.challenges.map(\.state) == [.failed, .locked])
        #expect(first.challenges[1].waitingFor == ["a"])

        try "".write(toFile: backend.directory(session.id, "box") + "/done-a", atomically: true, encoding: .utf8)
        try "".write(toFile: backend.directory(session.id, "box") + "/done-b", atomically: true, encoding: .utf8)
        let reloaded = try #require(try lab.store.load(session.id))
        let second = try await grader.check(reloaded, workshop: lab.workshop())
        // a passes in the first wave, which unlocks b for a second wave of the same check.
        #expect(second.challenges.map(\.state) == [.passed, .passed])
        #expect(second.allPassed && second.score == second.maxScore)
        #expect(try lab.store.load(session.id)?.progress["b"]?.attempts == 1, "b was locked, not attempted, the first time")
        #expect(await provisioner(lab, backend).remove(sessionID: session.id).isEmpty)
        #expect(backend.live.isEmpty && lab.store.all().sessions.isEmpty)
    }

    @Test func aFailedSetupRemovesTheSessionUnlessAskedToKeepIt() async throws {
        let failing = "  setup:\n    - run: \"echo broken >&2; exit 3\"\n"
        let lab = try Lab(Self.spec(setup: failing, challenges: ""))
        let backend = try FakeBackend()
        await #expect(throws: SetupFailure.self) {
            try await provisioner(lab, backend).up(lab.workshop(), options: .init(source: lab.path))
        }
        #expect(backend.live.isEmpty && backend.tornDown.count == 1 && lab.store.all().sessions.isEmpty)

        var keep = SessionProvisioner.Options(source: lab.path)
        keep.keepOnFailure = true
        do {
            _ = try await provisioner(lab, backend).up(lab.workshop(), options: keep)
            Issue.record("setup failed, yet up succeeded")
        } catch let failure as SetupFailure {
            let kept = try #require(failure.keptSession)
            #expect(failure.outcome.exitCode == 3 && failure.outcome.stderr.text == "broken\n")
            #expect(try lab.store.load(kept)?.status == .failed)
            #expect(backend.live == [kept] && backend.tornDown.count == 1)
        }
    }

    @Test func theTesterFailsChecksThatPassBeforeTheSolutionRuns() async throws {
        let lab = try Lab(Self.spec(challenges: """
              - id: trivial
                title: Always passes
                checks: [{run: "true"}]
                solve: {run: "true"}
              - id: real
                title: Needs the solution
                checks: [{run: "test -f made"}]
                solve: {run: "touch made"}
        """))
        let backend = try FakeBackend()
        let run = try await WorkshopTester(provisioner: provisioner(lab, backend)).test(lab.workshop(), source: lab.path)
        #expect(run.challenges.map(\.challenge) == ["trivial", "real"])
        #expect(run.challenges[0].failedPhase == .checksBeforeSolve && !run.challenges[0].passed)
        #expect(run.challenges[1].passed && run.challenges[1].failedPhase == nil)
        #expect(!run.passed && backend.live.isEmpty, "the session is removed at the end")
    }

    @Test func pruneRemovesOrphansOfThisMachineAndLeavesOthersAlone() async throws {
        let lab = try Lab(Self.chain)
        let backend = try FakeBackend()
        let live = try await provisioner(lab, backend).up(lab.workshop(), options: .init(source: lab.path))
        backend.plant(SessionMetadata(session: "orphan", workshop: "seam", version: "1.0.0", expiresAt: Date().addingTimeInterval(600),
                                      stateFile: "/nonexistent/orphan/session.json", host: SessionMetadata.hostName))
        backend.plant(SessionMetadata(session: "foreign", workshop: "seam", version: "1.0.0", expiresAt: Date().addingTimeInterval(600),
                                      stateFile: "/nonexistent/foreign/session.json", host: "another-machine"))
        backend.plant(SessionMetadata(session: "old", workshop: "seam", version: "1.0.0", expiresAt: Date().addingTimeInterval(-1),
                                      stateFile: "/nonexistent/old/session.json", host: "another-machine"))
        let pruner = SessionPruner(provisioner: provisioner(lab, backend))
        let planned = try await pruner.prune(dryRun: true)
        #expect(planned.map(\.session).sorted() == ["old", "orphan"] && backend.tornDown.isEmpty)
        let pruned = try await pruner.prune()
        #expect(Dictionary(uniqueKeysWithValues: pruned.map { ($0.session, $0.reason) }) == ["old": .expired, "orphan": .orphaned])
        #expect(backend.live == ["foreign", live.id].sorted())
    }
}

/// The lifecycle's claims are leases: a transition counts as done only once its script has run, and one left by
/// a process that died is run again once its lease expires.
@Suite struct LifecycleLeaseTests {
    /// The chain of a then b, b with a setup that leaves a mark.
    static let spec = AboveTheSeamTests.chain.replacingOccurrences(
        of: "needs: [a]\n", with: "needs: [a]\n        setup: {run: \"echo set-up >> b-setup\"}\n")

    @Test func aStartInProgressIsNotGradedAndADeadClaimIsRunAgain() async throws {
        let lab = try Lab(Self.spec)
        let backend = try FakeBackend()
        let workshop = try lab.workshop()
        let session = try await SessionProvisioner(backend: backend, store: lab.store).up(workshop, options: .init(source: lab.path))
        let grader = Grader(backend: backend, store: lab.store)
        let member = backend.directory(session.id, "box")
        try "".write(toFile: member + "/done-a", atomically: true, encoding: .utf8)
        // Another process claimed b's start and is running its setup: a passes, b is reported started, not graded.
        _ = try await lab.store.update(session.id) { $0.lifecycle?.running["start b"] = Date().addingTimeInterval(600) }
        var report = try await grader.check(try #require(try lab.store.load(session.id)), workshop: workshop)
        #expect(report.challenges.map(\.state) == [.passed, .started], "\(report.challenges.map(\.state))")
        #expect(try lab.store.load(session.id)?.progress["b"]?.startedAt == nil, "b counts as started only once its setup has run")
        #expect(!FileManager.default.fileExists(atPath: member + "/b-setup"), "nothing ran it here")
        // That process died: once its lease has expired, the next check runs b's setup (once) first, then grades it.
        _ = try await lab.store.update(session.id) { $0.lifecycle?.running["start b"] = Date().addingTimeInterval(-1) }
        report = try await grader.check(try #require(try lab.store.load(session.id)), workshop: workshop)
        #expect(report.challenges.map(\.state) == [.complete, .failed], "\(report.challenges.map(\.state))")
        let record = try #require(try lab.store.load(session.id))
        #expect(record.progress["b"]?.startedAt != nil && record.lifecycle?.running.isEmpty == true)
        #expect(try String(contentsOfFile: member + "/b-setup", encoding: .utf8) == "set-up\n")
        #expect(await SessionProvisioner(backend: backend, store: lab.store).remove(sessionID: session.id).isEmpty)
    }

    @Test func recordsFromBeforeLeasesAreRead() throws {
        let json = #"{"enteredSteps": 2, "ran": []}"#
        let state = try JSONDecoder().decode(LifecycleState.self, from: Data(json.utf8))
        #expect(state.enteredSteps == 2 && state.running.isEmpty)
    }
}
