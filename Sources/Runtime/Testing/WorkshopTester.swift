import Foundation
import WorkshopSpec

/// The result of proving one challenge solvable.
public struct ChallengeTestResult: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        /// The challenge never started: its setup failed, or it was never reached.
        case setup
        case checksBeforeSolve = "checks-before-solve", solve, checksAfterSolve = "checks-after-solve"
        /// Its cleanup (or what its completion started next: a setup, the next step's setup) failed.
        case cleanup
    }

    public var challenge: String
    public var passed: Bool
    /// The phase that went wrong, and why.
    public var failedPhase: Phase?
    public var problem: String?
    public var seconds: Double
    /// The check results before and after the solution ran.
    public var before: [CheckResult]
    public var after: [CheckResult]
}

/// One run of one workshop under `nalabo test`.
public struct WorkshopTestRun: Sendable, Codable, Equatable {
    public var workshop: String
    public var source: String
    public var run: Int
    public var session: String?
    /// Set when the session could not come up; then there are no challenge results.
    public var sessionProblem: String?
    public var upSeconds: Double
    public var challenges: [ChallengeTestResult]
    /// The lifecycle as it ran, in order: the same as a learner's session goes through.
    public var lifecycle: [LifecycleRun] = []
    public var seconds: Double

    public var passed: Bool { sessionProblem == nil && challenges.allSatisfy(\.passed) }
}

/// Proves every challenge of a workshop is solvable and its checks meaningful, in one fresh session that goes
/// through the same lifecycle as a learner's (``SessionLifecycle``): each started challenge in turn, its checks
/// expecting at least one to fail, its solution, its checks expecting all to pass; its completion then runs
/// its cleanup and starts what follows, and a step without challenges is left as `nalabo next` leaves it.
public struct WorkshopTester: Sendable {
    public let provisioner: SessionProvisioner
    public var keepOnFailure = false
    /// Where the values of the workshop's `secrets:` come from.
    public var secrets = SecretSource()

    public init(provisioner: SessionProvisioner) { self.provisioner = provisioner }

    /// Tests one workshop. Throws only `CancellationError`, after removing the session it had started.
    public func test(_ workshop: Workshop, source: String, run: Int = 1,
                     events: @escaping @Sendable (SessionEvent) -> Void = { _ in },
                     challengeFinished: @escaping @Sendable (ChallengeTestResult) -> Void = { _ in }) async throws -> WorkshopTestRun {
        let clock = ContinuousClock()
        let started = clock.now
        var result = WorkshopTestRun(workshop: "\(workshop.metadata.slug)@\(workshop.metadata.version)", source: source, run: run,
                                     session: nil, sessionProblem: nil, upSeconds: 0, challenges: [], seconds: 0)
        var options = SessionProvisioner.Options(source: source)
        options.entersFirstStep = false
        options.keepOnFailure = keepOnFailure
        options.secrets = secrets
        let record: LocalSession
        do {
            record = try await provisioner.up(workshop, options: options, events: events)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            result.sessionProblem = "\(error)"
            result.seconds = (clock.now - started).seconds
            return result
        }
        result.session = record.id
        result.upSeconds = (clock.now - started).seconds
        let grader = Grader(backend: provisioner.backend, store: provisioner.store)
        let runner: ScriptRunner
        do {
            runner = try ScriptRunner(backend: provisioner.backend, record: record)
        } catch {
            result.sessionProblem = "\(error)"
            return result
        }
        await walk(workshop, record: record, grader: grader, runner: runner, into: &result, challengeFinished: challengeFinished)
        result.lifecycle = (try? await provisioner.store.load(record.id))?.lifecycle?.ran ?? []
        if Task.isCancelled {
            // Removed outside the cancelled task, so the backend's calls still go out.
            let provisioner = provisioner
            _ = await Task.detached { await provisioner.remove(sessionID: record.id, events: events) }.value
            throw CancellationError()
        }
        if !(keepOnFailure && !result.passed) {
            await provisioner.remove(sessionID: record.id, events: events)
        }
        result.seconds = (clock.now - started).seconds
        return result
    }

    /// Tests the started challenges one at a time, in dependency order, moving through the steps as a learner
    /// does. A challenge that fails (or whose setup fails) is then given up, as `nalabo solve` would mark it, so
    /// that everything after it is still tested; only a step's failing setup stops the walk.
    private func walk(_ workshop: Workshop, record: LocalSession, grader: Grader, runner: ScriptRunner,
                      into result: inout WorkshopTestRun, challengeFinished: @Sendable (ChallengeTestResult) -> Void) async {
        let lifecycle = SessionLifecycle(backend: provisioner.backend, store: provisioner.store)
        var tested: Set<String> = []
        var stuck: String?
        func finish(_ outcome: ChallengeTestResult) {
            tested.insert(outcome.challenge)
            result.challenges.append(outcome)
            challengeFinished(outcome)
        }
        var failed: [String: (ChallengeTestResult.Phase, String)] = [:]
        /// Reports the challenges whose setup failed (they are given up) as failed at that phase.
        func finishFailed() {
            for (id, failure) in failed.sorted(by: { $0.key < $1.key }) where !tested.contains(id) {
                finish(ChallengeTestResult(challenge: id, passed: false, failedPhase: failure.0, problem: failure.1, seconds: 0, before: [], after: []))
            }
        }
        stuck = await advance(record.id, workshop: workshop, lifecycle: lifecycle, failures: &failed)
        while !Task.isCancelled && stuck == nil {
            finishFailed()
            guard let current = try? await provisioner.store.load(record.id) else { break }
            let next = workshop.challengesInDependencyOrder.first { challenge in
                !tested.contains(challenge.id) && SessionLifecycle.hasStarted(challenge.id, in: current)
                    && !(current.progress[challenge.id]?.isComplete ?? false)
            }
            guard let challenge = next else {
                // Nothing started is left: move on as `nalabo next` does, until the last step.
                do {
                    _ = try await lifecycle.next(record.id, workshop: workshop)
                } catch is StepNavigation {
                    break
                } catch {
                    failed = [:]
                    stuck = await advance(record.id, workshop: workshop, lifecycle: lifecycle, failures: &failed)
                    if stuck == nil && failed.isEmpty { stuck = "moving on to the next step failed: \(error)" }
                }
                continue
            }
            var outcome = await test(challenge, workshop: workshop, record: current, grader: grader, runner: runner)
            if Task.isCancelled { break }
            await complete(challenge, id: challenge.id, record: record.id, givenUp: !outcome.passed)
            failed = [:]
            stuck = await advance(record.id, workshop: workshop, lifecycle: lifecycle, failures: &failed)
            if let cleanup = failed.removeValue(forKey: challenge.id), outcome.passed {
                outcome.passed = false
                outcome.failedPhase = cleanup.0
                outcome.problem = cleanup.1
            }
            finish(outcome)
        }
        if Task.isCancelled { return }
        finishFailed()
        for challenge in workshop.challengesInDependencyOrder where !tested.contains(challenge.id) {
            finish(ChallengeTestResult(challenge: challenge.id, passed: false, failedPhase: .setup,
                                       problem: "never started: " + (stuck ?? "its step was never reached or its needs never completed"),
                                       seconds: 0, before: [], after: []))
        }
    }

    /// Settles the session as a learner's would be. A challenge's setup or cleanup that fails is charged to it
    /// (in `failures`) and the challenge is given up, so the lifecycle goes on; returns what stopped it instead
    /// (a step's setup that failed, a backend that stopped answering), nil when it settled.
    private func advance(_ id: String, workshop: Workshop, lifecycle: SessionLifecycle,
                         failures: inout [String: (ChallengeTestResult.Phase, String)]) async -> String? {
        for _ in 0...(2 * workshop.challenges.count + 1) {
            do {
                try await lifecycle.settle(id, workshop: workshop)
                return nil
            } catch let failure as SetupFailure {
                guard let record = try? await provisioner.store.load(id), let due = SessionLifecycle.due(record, workshop: workshop) else {
                    return "\(failure)"
                }
                switch due {
                case .start(let challenge):
                    failures[challenge] = (.setup, Self.describe(failure.outcome, script: failure.script, timeout: workshop.challenge(challenge)?.setup?.timeout))
                    try? await provisioner.store.update(id) { stored in
                        var entry = stored.progress[challenge] ?? ChallengeProgress()
                        entry.startedAt = Date()
                        stored.progress[challenge] = entry
                    }
                    await complete(workshop.challenge(challenge), id: challenge, record: id, givenUp: true, cleanedUp: true)
                case .cleanUp(let challenge):
                    failures[challenge] = (.cleanup, Self.describe(failure.outcome, script: failure.script, timeout: workshop.challenge(challenge)?.cleanup?.timeout))
                    try? await provisioner.store.update(id) { $0.progress[challenge]?.cleanedUpAt = Date() }
                case .enter(let step):
                    return "the setup of step \(workshop.steps[step].id) failed: \(failure)"
                }
            } catch {
                return "\(error)"
            }
        }
        return "the lifecycle did not settle"
    }

    /// Records a tested challenge complete, as a learner's pass would (all its points), or given up as
    /// `nalabo solve` marks one (skipped, no points), so the lifecycle moves on.
    private func complete(_ challenge: Challenge?, id: String, record: String, givenUp: Bool, cleanedUp: Bool = false) async {
        let points = givenUp ? 0 : challenge?.maxPoints ?? 0
        _ = try? await provisioner.store.update(record) { stored in
            var entry = stored.progress[id] ?? ChallengeProgress()
            entry.completedAt = Date()
            entry.points = points
            entry.skipped = givenUp
            if cleanedUp { entry.cleanedUpAt = Date() }
            stored.progress[id] = entry
        }
    }

    private func test(_ challenge: Challenge, workshop: Workshop, record: LocalSession, grader: Grader,
                      runner: ScriptRunner) async -> ChallengeTestResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = ChallengeTestResult(challenge: challenge.id, passed: false, failedPhase: nil, problem: nil, seconds: 0, before: [], after: [])
        func fail(_ phase: ChallengeTestResult.Phase, _ problem: String) -> ChallengeTestResult {
            result.failedPhase = phase
            result.problem = problem
            result.seconds = (clock.now - started).seconds
            return result
        }
        var phase = ChallengeTestResult.Phase.checksBeforeSolve
        do {
            result.before = try await grader.runChecks(challenge, workshop: workshop, record: record)
            if result.before.allSatisfy(\.passed) {
                return fail(.checksBeforeSolve, "every check passes before the solution ran, so the checks cannot tell a solved challenge from an untouched one")
            }
            guard let solve = challenge.solve else {
                return fail(.solve, "the challenge has no `solve` script, so nalabo cannot prove it solvable")
            }
            phase = .solve
            let outcome = try await run(solve, record: record, workshop: workshop, runner: runner)
            if !outcome.succeeded { return fail(.solve, Self.describe(outcome, script: solve)) }
            phase = .checksAfterSolve
            result.after = try await grader.runChecks(challenge, workshop: workshop, record: record)
            if let failed = result.after.first(where: { !$0.passed }) {
                var problem = "check \(failed.name) fails after the solution ran: \(failed.reason ?? "failed")"
                if !failed.failLines.isEmpty { problem += " — " + failed.failLines.joined(separator: "; ") }
                return fail(.checksAfterSolve, problem)
            }
        } catch {
            return fail(phase, "\(error)")
        }
        result.passed = true
        result.seconds = (clock.now - started).seconds
        return result
    }

    private func run(_ script: Script, record: LocalSession, workshop: Workshop, runner: ScriptRunner) async throws -> ScriptOutcome {
        guard let container = workshop.container(script.container) else {
            throw BackendError(.notFound, "container \(script.container) of session \(record.id)")
        }
        return try await runner.run(script, container: container, sweep: false)
    }

    static func describe(_ outcome: ScriptOutcome, script: Script) -> String {
        describe(outcome, script: script.displayName, timeout: script.timeout)
    }

    static func describe(_ outcome: ScriptOutcome, script: String, timeout: SpecDuration?) -> String {
        var text = "\(script) "
        if outcome.timedOut { text += "timed out after \(timeout.map(String.init(describing:)) ?? "its timeout")" }
        else { text += "exited with status \(outcome.exitCode.map(String.init) ?? "none")" }
        if outcome.outOfMemory { text += " (a process ran out of memory)" }
        let output = (outcome.stdout.text + outcome.stderr.text).trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty { text += ": " + output.split(separator: "\n").suffix(5).joined(separator: " / ") }
        return text
    }
}
