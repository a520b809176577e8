import Foundation
import WorkshopSpec

/// The result of proving one challenge solvable.
public struct ChallengeTestResult: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        case setup, checksBeforeSolve = "checks-before-solve", solve, checksAfterSolve = "checks-after-solve"
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
    public var seconds: Double

    public var passed: Bool { sessionProblem == nil && challenges.allSatisfy(\.passed) }
}

/// Proves every challenge of a workshop is solvable and its checks meaningful, in one fresh session: per
/// challenge in dependency order, its setup, its checks expecting at least one to fail, its solution, its
/// checks expecting all to pass.
public struct WorkshopTester: Sendable {
    public let provisioner: SessionProvisioner
    public var keepOnFailure = false

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
        options.runChallengeSetups = false
        options.keepOnFailure = keepOnFailure
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
        for challenge in workshop.challengesInDependencyOrder {
            if Task.isCancelled { break }
            let outcome = await test(challenge, workshop: workshop, record: record, grader: grader, runner: runner)
            if Task.isCancelled { break }
            result.challenges.append(outcome)
            challengeFinished(outcome)
        }
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
        var phase = ChallengeTestResult.Phase.setup
        do {
            if let setup = challenge.setup {
                let outcome = try await run(setup, record: record, workshop: workshop, runner: runner)
                if !outcome.succeeded { return fail(.setup, Self.describe(outcome, script: setup)) }
            }
            phase = .checksBeforeSolve
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
            // Record the solved state, so later challenges that need this one see it complete.
            try await provisioner.store.update(record.id) { stored in
                var entry = stored.progress[challenge.id] ?? ChallengeProgress()
                entry.completedAt = Date()
                entry.points = challenge.maxPoints
                stored.progress[challenge.id] = entry
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
        var text = "\(script.displayName) "
        if outcome.timedOut { text += "timed out after \(script.timeout)" }
        else { text += "exited with status \(outcome.exitCode.map(String.init) ?? "none")" }
        if outcome.outOfMemory { text += " (a process ran out of memory)" }
        let output = (outcome.stdout.text + outcome.stderr.text).trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty { text += ": " + output.split(separator: "\n").suffix(5).joined(separator: " / ") }
        return text
    }
}
