import Foundation
import WorkshopSpec

/// How one challenge stands after a `check`.
public struct ChallengeGrade: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// All of its checks passed now.
        case passed
        case failed
        /// Not started: a challenge it `needs` is not complete, or its step is not reached yet. Not graded.
        case locked
        /// Started during this check (what it completed unlocked it, and its setup ran): not graded yet.
        case started
        /// Completed earlier and not asked for again.
        case complete
        /// Solved with `nalabo solve` earlier.
        case skipped
    }

    public var id: String
    public var title: String
    public var state: State
    public var checks: [CheckResult]
    public var points: Int
    public var maxPoints: Int
    /// The hints revealed so far: one more per failed attempt.
    public var hints: [String]
    /// The unmet needs of a locked challenge.
    public var waitingFor: [String]
    /// The step a locked challenge waits for the learner to reach, when its needs are met.
    public var waitingForStep: String?
    public var attempts: Int
}

/// The result of one `nalabo check`.
public struct GradeReport: Sendable, Codable, Equatable {
    public var session: String
    public var challenges: [ChallengeGrade]
    public var score: Int
    public var maxScore: Int
    /// The learner's current step after this check, 1-based (a check that completes a step moves on).
    public var step: Int
    /// Whether every challenge shown is done: none failed, none is still locked, none has only just started.
    public var allPassed: Bool { !challenges.contains { [.failed, .locked, .started].contains($0.state) } }
}

/// Grades the started challenges of a running session (``SessionLifecycle``): checks of independent challenges
/// run concurrently. What a check completes moves the lifecycle on (cleanups, setups, the next step); a challenge
/// it unlocks is graded in the same run when it has no setup and its step was already reached, and is reported
/// `started` otherwise, for the learner to do first. Points are partial: passing checks count, the best attempt
/// is kept, and a completed challenge has them all.
public struct Grader: Sendable {
    public let backend: any SessionBackend
    public let store: any SessionRecords

    public init(backend: any SessionBackend, store: any SessionRecords) {
        self.backend = backend
        self.store = store
    }

    public struct SessionExpired: Error, CustomStringConvertible {
        public var session: String
        public var expiredAt: Date
        public var description: String {
            "session \(session) expired at \(SessionMetadata.timestamp(expiredAt)); grading is closed. `nalabo down --session \(session)` removes it and `nalabo up` starts a new one"
        }
    }

    public struct UnknownChallenge: Error, CustomStringConvertible {
        public var id: String
        public var known: [String]
        public var description: String { "this workshop has no challenge \"\(id)\"; its challenges: \(known.joined(separator: ", "))" }
    }

    public struct NotStarted: Error, CustomStringConvertible {
        public var id: String
        public var waitingFor: [String]
        /// The step it belongs to: "2 (Finding your way around)".
        public var step: String?
        public var description: String {
            if !waitingFor.isEmpty {
                return "challenge \(id) has not started: it waits for \(waitingFor.joined(separator: ", ")) to be complete (`nalabo check` grades them)"
            }
            return "challenge \(id) has not started: it belongs to step \(step ?? "?"), which you have not reached; finish the current step, or leave a step without challenges with `nalabo next`"
        }
    }

    /// Runs the checks of `requested` challenges (all started, incomplete ones when empty) and records the attempts.
    public func check(_ record: LocalSession, workshop: Workshop, requested: [String] = [], now: Date = Date(),
                      events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> GradeReport {
        guard !record.isExpired(at: now) else { throw SessionExpired(session: record.id, expiredAt: record.expiresAt) }
        let all = workshop.challengesInDependencyOrder
        for id in requested where workshop.challenge(id) == nil {
            throw UnknownChallenge(id: id, known: all.map(\.id))
        }
        let lifecycle = SessionLifecycle(backend: backend, store: store)
        // Anything still due (a setup that failed last time) comes first.
        var current = try await lifecycle.settle(record.id, workshop: workshop, events: events)
        let startedBefore = Set(all.filter { SessionLifecycle.hasStarted($0.id, in: current) }.map(\.id))
        let enteredBefore = current.lifecycle?.enteredSteps ?? workshop.steps.count
        let gradable = { (challenge: Challenge) in
            SessionLifecycle.hasStarted(challenge.id, in: current) && (startedBefore.contains(challenge.id)
                || (challenge.setup == nil && (SessionLifecycle.step(of: challenge.id, in: workshop) ?? .max) < enteredBefore))
        }
        var pending = all.filter { challenge in
            requested.isEmpty ? !(current.progress[challenge.id]?.isComplete ?? false) : requested.contains(challenge.id)
        }
        var graded: [String: [CheckResult]] = [:]

        // Waves: everything started whose needs are complete runs at once; what they unlock runs next.
        while true {
            let progress = current.progress
            let ready = pending.filter { challenge in
                gradable(challenge) && challenge.needs.allSatisfy { progress[$0.value]?.isComplete ?? false }
            }
            guard !ready.isEmpty else { break }
            pending.removeAll { challenge in ready.contains { $0.id == challenge.id } }
            let results = try await runChecks(together: ready, workshop: workshop, record: current)
            try await store.update(record.id) { stored in
                for (id, checks) in results {
                    var entry = stored.progress[id] ?? ChallengeProgress()
                    let earned = checks.reduce(0) { $0 + $1.points }
                    entry.attempts += 1
                    entry.lastAttemptAt = now
                    entry.lastResults = checks
                    if checks.allSatisfy(\.passed) {
                        if entry.completedAt == nil {
                            entry.completedAt = now
                            entry.points = earned
                        }
                    } else {
                        entry.failedAttempts += 1
                        // Partial credit: the best attempt's passing checks, until the challenge is complete.
                        if entry.completedAt == nil { entry.points = max(entry.points, earned) }
                    }
                    stored.progress[id] = entry
                }
            }
            graded.merge(results) { _, new in new }
            current = try await lifecycle.settle(record.id, workshop: workshop, events: events)
        }
        return report(current, workshop: workshop, graded: graded, requested: requested, startedBefore: startedBefore)
    }

    private func report(_ record: LocalSession, workshop: Workshop, graded: [String: [CheckResult]], requested: [String],
                        startedBefore: Set<String>) -> GradeReport {
        let all = workshop.challengesInDependencyOrder
        let progress = record.progress
        let challenges = all.map { challenge -> ChallengeGrade in
            let entry = progress[challenge.id] ?? ChallengeProgress()
            let state: ChallengeGrade.State
            let checks = graded[challenge.id] ?? []
            let waitingFor = challenge.needs.map(\.value).filter { !(progress[$0]?.isComplete ?? false) }
            var waitingForStep: String?
            if graded[challenge.id] != nil {
                state = checks.allSatisfy(\.passed) ? (entry.skipped ? .skipped : .passed) : .failed
            } else if entry.skipped {
                state = .skipped
            } else if entry.isComplete {
                state = .complete
            } else if SessionLifecycle.isStarting(challenge.id, in: record) {
                state = .started  // its files and setup are running (another check, the portal): do it once they are
            } else if !SessionLifecycle.hasStarted(challenge.id, in: record) {
                state = .locked
                if waitingFor.isEmpty { waitingForStep = SessionLifecycle.step(of: challenge.id, in: workshop).map { workshop.steps[$0].id } }
            } else if !startedBefore.contains(challenge.id) {
                state = .started
            } else {
                state = .failed
            }
            return ChallengeGrade(
                id: challenge.id, title: challenge.title, state: state, checks: checks, points: entry.points,
                maxPoints: challenge.maxPoints,
                hints: Array(challenge.hints.prefix(state == .failed ? entry.failedAttempts : 0)),
                waitingFor: waitingFor, waitingForStep: waitingForStep,
                attempts: entry.attempts)
        }
        let shown = requested.isEmpty ? challenges : challenges.filter { requested.contains($0.id) }
        return GradeReport(session: record.id, challenges: shown,
                           score: progress.values.reduce(0) { $0 + $1.points },
                           maxScore: all.reduce(0) { $0 + $1.maxPoints },
                           step: SessionLifecycle.currentStep(record, workshop: workshop) + 1)
    }

    /// Runs the checks of several challenges at once, without recording anything: the first check of each, all
    /// together (one exec per container), then the second of each, and so on, so that each challenge's checks
    /// still run in their order.
    public func runChecks(together challenges: [Challenge], workshop: Workshop, record: LocalSession) async throws -> [String: [CheckResult]] {
        var results = Dictionary(uniqueKeysWithValues: challenges.map { ($0.id, [CheckResult]()) })
        let rounds = challenges.map(\.checks.count).max() ?? 0
        for round in 0..<rounds {
            var byContainer: [String: [(challenge: String, check: Check)]] = [:]
            for challenge in challenges where round < challenge.checks.count {
                let check = challenge.checks[round]
                byContainer[check.script.container, default: []].append((challenge.id, check))
            }
            let batches = try byContainer.map { name, entries in
                guard let container = workshop.container(name) else {
                    throw BackendError(.notFound, "container \(name) of session \(record.id)")
                }
                return (container, entries)
            }
            let runner = try ScriptRunner(backend: backend, record: record)
            try await withThrowingTaskGroup(of: [(String, CheckResult)].self) { group in
                for (container, entries) in batches {
                    group.addTask {
                        let outcomes = try await runner.runBatch(entries.map { .init(script: $0.check.script, sweep: true) },
                                                                 container: container)
                        return zip(entries, outcomes).map { entry, outcome in (entry.challenge, CheckResult(check: entry.check, outcome: outcome)) }
                    }
                }
                for try await pairs in group {
                    for (id, result) in pairs { results[id, default: []].append(result) }
                }
            }
        }
        return results
    }

    /// Runs one challenge's checks in order, without recording anything.
    public func runChecks(_ challenge: Challenge, workshop: Workshop, record: LocalSession) async throws -> [CheckResult] {
        let runner = try ScriptRunner(backend: backend, record: record)
        var results: [CheckResult] = []
        for check in challenge.checks {
            guard let container = workshop.container(check.script.container) else {
                throw BackendError(.notFound, "container \(check.script.container) of session \(record.id)")
            }
            let outcome = try await runner.run(check.script, container: container, sweep: true)
            results.append(CheckResult(check: check, outcome: outcome))
        }
        return results
    }

    /// Runs a started challenge's reference solution and, when it succeeds, marks the challenge skipped
    /// (complete, keeping only the points its checks had earned) unless the learner had already completed it; the
    /// lifecycle then moves on.
    public func solve(_ record: LocalSession, workshop: Workshop, challenge id: String, now: Date = Date(),
                      events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> ScriptOutcome {
        guard !record.isExpired(at: now) else { throw SessionExpired(session: record.id, expiredAt: record.expiresAt) }
        guard let challenge = workshop.challenge(id) else {
            throw UnknownChallenge(id: id, known: workshop.challengesInDependencyOrder.map(\.id))
        }
        guard let solve = challenge.solve else {
            throw BackendError(.notFound, "challenge \(id) has no reference solution (the workshop has none)")
        }
        guard let container = workshop.container(solve.container) else {
            throw BackendError(.notFound, "container \(solve.container) of session \(record.id)")
        }
        let lifecycle = SessionLifecycle(backend: backend, store: store)
        let current = try await lifecycle.settle(record.id, workshop: workshop, events: events)
        guard SessionLifecycle.hasStarted(id, in: current) else {
            let waiting = challenge.needs.map(\.value).filter { !(current.progress[$0]?.isComplete ?? false) }
            throw NotStarted(id: id, waitingFor: waiting, step: SessionLifecycle.step(of: id, in: workshop).map { "\($0 + 1) (\(workshop.steps[$0].title))" })
        }
        let outcome = try await ScriptRunner(backend: backend, record: record).run(solve, container: container, sweep: false)
        if outcome.succeeded {
            try await store.update(record.id) { stored in
                var entry = stored.progress[id] ?? ChallengeProgress()
                if entry.completedAt == nil {
                    entry.completedAt = now
                    entry.skipped = true
                    // The partial credit earned before giving up stays (the catalogue counts it too).
                }
                stored.progress[id] = entry
            }
            try await lifecycle.settle(record.id, workshop: workshop, events: events)
        }
        return outcome
    }
}
