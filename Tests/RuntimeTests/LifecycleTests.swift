import Foundation
@testable import Runtime
import Testing
import WorkshopSpec

/// The one lifecycle (docs/spec.md, "Lifecycle") on real Docker: a learner's session and `nalabo test` run the
/// same setups and cleanups in the same order, and only started challenges are graded.
@Suite struct LifecycleTests {
    /// Every lifecycle script appends its name to /tmp/order, so the container shows what really ran.
    static let spec = busyboxSpec(setup: """
          setup:
            - run: echo environment >> /tmp/order
        """) .replacingOccurrences(of: """
        steps:
          - id: only
            title: The only step
            content: Do the thing.

        """, with: """
        steps:
          - id: one
            title: One
            content: Make a and b.
            setup: {run: echo step-one >> /tmp/order}
            challenges:
              - id: a
                title: Make a
                setup: {run: echo a-setup >> /tmp/order}
                checks: [{run: test -f /tmp/a, points: 2}, {run: test -f /tmp/a2}]
                solve: {run: touch /tmp/a /tmp/a2}
                cleanup: {run: echo a-cleanup >> /tmp/order}
              - id: b
                title: Make b
                needs: [a]
                setup: {run: echo b-setup >> /tmp/order}
                checks: [{run: test -f /tmp/b}]
                solve: {run: touch /tmp/b}
          - id: reading
            title: Reading only
            content: Nothing to do here.
            setup: {run: echo step-reading >> /tmp/order}
          - id: three
            title: Three
            content: Make c.
            setup: {run: echo step-three >> /tmp/order}
            challenges:
              - id: c
                title: Make c
                setup: {run: echo c-setup >> /tmp/order}
                checks: [{run: test -f /tmp/c}]
                solve: {run: touch /tmp/c}
                cleanup: {run: echo c-cleanup >> /tmp/order}

        """)

    static let expected = [
        "environment the script at line 12 setup", "step one setup", "challenge a setup", "challenge a cleanup",
        "challenge b setup", "challenge b cleanup (no script)", "step reading setup", "step three setup",
        "challenge c setup", "challenge c cleanup",
    ]

    @Test func aLearnersSessionAndTheTesterRunTheSameScriptsInTheSameOrder() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        let workshop = try lab.workshop()
        let backend = DockerBackend(engine: engine)
        let grader = Grader(backend: backend, store: lab.store)
        let lifecycle = SessionLifecycle(backend: backend, store: lab.store)

        let learner = try await lab.withSession(engine) { session -> [String] in
            // Up entered step one: its setup and a's ran; b waits for a, c for its step.
            #expect(try await lab.shell(engine, session, "cat /tmp/order").stdout.text == "environment\nstep-one\na-setup\n")
            var report = try await grader.check(session, workshop: workshop)
            #expect(report.challenges.map(\.state) == [.failed, .locked, .locked])
            #expect(report.challenges[1].waitingFor == ["a"] && report.challenges[2].waitingForStep == "three")
            #expect(report.step == 1)
            // Half of a: partial credit, kept as the best attempt.
            _ = try await lab.shell(engine, session, "touch /tmp/a")
            report = try await grader.check(session, workshop: workshop)
            #expect(report.challenges[0].state == .failed && report.challenges[0].points == 2 && report.score == 2)
            await #expect(throws: StepNavigation.openChallenges(["a", "b"])) { try await lifecycle.next(session.id, workshop: workshop) }
            // All of a: its cleanup runs and b starts (its setup runs), reported started rather than graded.
            _ = try await lab.shell(engine, session, "touch /tmp/a2")
            report = try await grader.check(session, workshop: workshop)
            #expect(report.challenges.map(\.state) == [.passed, .started, .locked], "\(report.challenges.map(\.state))")
            #expect(report.challenges[0].points == 3)
            // b completes step one: the learner enters the reading-only step by itself, and leaves it with next.
            _ = try await lab.shell(engine, session, "touch /tmp/b")
            report = try await grader.check(session, workshop: workshop)
            #expect(report.challenges[1].state == .passed && report.step == 2)
            let entered = try await lifecycle.next(session.id, workshop: workshop)
            #expect(SessionLifecycle.currentStep(entered, workshop: workshop) == 2)
            // c is given up: its cleanup runs too; there is no step after it.
            let solved = try await grader.solve(entered, workshop: workshop, challenge: "c")
            #expect(solved.succeeded)
            await #expect(throws: StepNavigation.lastStep(index: 2, count: 3)) { try await lifecycle.next(session.id, workshop: workshop) }
            let order = try await lab.shell(engine, session, "cat /tmp/order").stdout.text
            #expect(order == "environment\nstep-one\na-setup\na-cleanup\nb-setup\nstep-reading\nstep-three\nc-setup\nc-cleanup\n")
            let record = try #require(try lab.store.load(session.id))
            #expect(record.progress["c"]?.skipped == true && record.progress["c"]?.points == 0)
            return record.lifecycle?.ran.map(\.description) ?? []
        }
        #expect(learner == Self.expected)

        let tester = WorkshopTester(provisioner: SessionProvisioner(backend: backend, store: lab.store))
        let run = try await tester.test(workshop, source: lab.path)
        #expect(run.passed, "\(run.challenges.map { "\($0.challenge): \($0.problem ?? "ok")" }) \(run.sessionProblem ?? "")")
        #expect(run.challenges.map(\.challenge) == ["a", "b", "c"])
        #expect(run.lifecycle.map(\.description) == learner, "nalabo test ran the lifecycle differently from a learner's session")
    }

    @Test func aFailingChallengeSetupIsChargedToItAndTheRestIsStillTested() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(challenges: """
              - id: broken
                title: Broken setup
                setup: {run: "echo cannot prepare; exit 3"}
                checks: [{run: test -f /tmp/x}]
                solve: {run: touch /tmp/x}
              - id: fine
                title: Fine
                checks: [{run: test -f /tmp/y}]
                solve: {run: touch /tmp/y}
        """))
        let run = try await WorkshopTester(provisioner: SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store))
            .test(lab.workshop(), source: lab.path)
        let byID = Dictionary(uniqueKeysWithValues: run.challenges.map { ($0.challenge, $0) })
        #expect(byID["broken"]?.failedPhase == .setup && byID["broken"]?.problem?.contains("cannot prepare") == true,
                "\(byID["broken"]?.problem ?? "")")
        #expect(byID["fine"]?.passed == true)
        #expect(!run.passed && run.sessionProblem == nil)
        #expect(try lab.store.all().sessions.isEmpty, "the session is removed at the end")
    }
}
