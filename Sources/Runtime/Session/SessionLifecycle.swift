import Foundation
import WorkshopSpec

/// Where a learner is in a workshop, and which lifecycle scripts have run, in order.
public struct LifecycleState: Sendable, Codable, Equatable {
    /// How many steps the learner has entered; the current step is the last of them.
    public var enteredSteps = 0
    /// The lifecycle scripts (and the scriptless starts and ends) so far, in the order they happened.
    public var ran: [LifecycleRun] = []
    /// The transitions being run now (`enter 2`, `start ID`, `cleanup ID`), each until its lease expires. A
    /// transition counts as done only once its files and script are (a check meanwhile does not grade it).
    public var running: [String: Date] = [:]

    public init() {}

    private enum CodingKeys: String, CodingKey { case enteredSteps, ran, running }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enteredSteps = try container.decode(Int.self, forKey: .enteredSteps)
        ran = try container.decode([LifecycleRun].self, forKey: .ran)
        // Records from before leases have none.
        running = try container.decodeIfPresent([String: Date].self, forKey: .running) ?? [:]
    }

    /// The current step's index.
    public var currentStep: Int { max(enteredSteps - 1, 0) }
}

/// One moment of a session's lifecycle: a step entered, a challenge started or cleaned up.
public struct LifecycleRun: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable, Codable {
        /// A step was entered or a challenge started: its `setup` ran, if it has one.
        case setup
        /// A completed challenge's `cleanup` ran, if it has one.
        case cleanup
    }

    public enum Scope: String, Sendable, Codable { case container, environment, step, challenge }

    public var scope: Scope
    /// The step's or challenge's id; the script's name for the environment's setup.
    public var id: String
    public var stage: Stage
    /// Whether a script ran (false: the step or challenge has none for this stage).
    public var script: Bool
    /// How many `files:` were copied first, when there were any.
    public var files: Int?

    public init(scope: Scope, id: String, stage: Stage, script: Bool, files: Int? = nil) {
        self.scope = scope
        self.id = id
        self.stage = stage
        self.script = script
        self.files = files
    }

    public var description: String {
        "\(scope.rawValue) \(id) \(stage.rawValue)" + (files.map { " (\($0) file\($0 == 1 ? "" : "s"))" } ?? "") + (script ? "" : " (no script)")
    }
}

/// The one lifecycle of a session, for `nalabo up`, the learner's `check`, `solve` and `next`, the portal and
/// `nalabo test` alike (docs/spec.md, "Lifecycle"):
///
/// 1. the environment's `setup` scripts run once the containers are up; the learner enters the first step;
/// 2. entering a step runs its `setup`; a challenge **starts** once its step is entered and its `needs` are
///    complete, which runs its `setup`; only started challenges are graded;
/// 3. a completed challenge (passed or solved) runs its `cleanup`;
/// 4. once every challenge of the current step is complete the learner enters the next step; a step without
///    challenges (reading only) is left with `nalabo next`.
///
/// Each transition is claimed in the session's record, with a lease, before its files are copied and its script
/// runs, and counts as done only once they are: two callers at once (two portal processes, a check beside a
/// solve) never run one twice, a script that fails gives its claim back (the next call tries again), and a
/// process that dies mid-script leaves a lease that expires after the script's timeout.
public struct SessionLifecycle: Sendable {
    public let backend: any SessionBackend
    public let store: any SessionRecords

    public init(backend: any SessionBackend, store: any SessionRecords) {
        self.backend = backend
        self.store = store
    }

    /// What happens next to bring a session to where its progress says it should be.
    enum Transition: Equatable {
        case enter(step: Int)
        case start(challenge: String)
        case cleanUp(challenge: String)

        /// The transition's name in the record's leases.
        var key: String {
            switch self {
            case .enter(let step): "enter \(step)"
            case .start(let id): "start \(id)"
            case .cleanUp(let id): "cleanup \(id)"
            }
        }
    }

    /// The next transition due, nil when the session is settled (or predates the lifecycle), or while another
    /// caller is running one (it moves the session on when it is done).
    static func due(_ record: LocalSession, workshop: Workshop) -> Transition? {
        guard let state = record.lifecycle, !state.running.values.contains(where: { $0 > Date() }) else { return nil }
        guard state.enteredSteps > 0 else { return workshop.steps.isEmpty ? nil : .enter(step: 0) }
        let reached = Set(workshop.steps.prefix(state.enteredSteps).flatMap(\.challenges).map(\.id))
        let ordered = workshop.challengesInDependencyOrder.filter { reached.contains($0.id) }
        let complete = { (id: String) in record.progress[id]?.isComplete ?? false }
        if let done = ordered.first(where: { complete($0.id) && record.progress[$0.id]?.cleanedUpAt == nil }) {
            return .cleanUp(challenge: done.id)
        }
        if let ready = ordered.first(where: { challenge in
            record.progress[challenge.id]?.startedAt == nil && !complete(challenge.id) && challenge.needs.allSatisfy { complete($0.value) }
        }) {
            return .start(challenge: ready.id)
        }
        let current = workshop.steps[state.currentStep]
        if !current.challenges.isEmpty, current.challenges.allSatisfy({ complete($0.id) }), state.enteredSteps < workshop.steps.count {
            return .enter(step: state.enteredSteps)
        }
        return nil
    }

    /// Whether a challenge has started (and so may be graded or solved).
    public static func hasStarted(_ challenge: String, in record: LocalSession) -> Bool {
        record.lifecycle == nil || record.progress[challenge]?.startedAt != nil
    }

    /// The step a challenge belongs to.
    public static func step(of challenge: String, in workshop: Workshop) -> Int? {
        workshop.steps.firstIndex { step in step.challenges.contains { $0.id == challenge } }
    }

    /// The learner's current step: the last one entered (for a session from before the lifecycle, the first
    /// with a challenge not yet complete).
    public static func currentStep(_ record: LocalSession, workshop: Workshop) -> Int {
        if let state = record.lifecycle { return min(state.currentStep, max(workshop.steps.count - 1, 0)) }
        return workshop.steps.firstIndex { step in step.challenges.contains { record.progress[$0.id]?.isComplete != true } }
            ?? max(workshop.steps.count - 1, 0)
    }

    /// Runs every transition that is due, in order, and returns the settled record.
    @discardableResult
    public func settle(_ id: String, workshop: Workshop, events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        guard var record = try await store.load(id) else { throw BackendError(.notFound, "session \(id)") }
        // Bounded: each transition claims something that cannot be claimed again.
        for _ in 0..<(2 * workshop.challenges.count + workshop.steps.count + 1) {
            guard let transition = Self.due(record, workshop: workshop) else { return record }
            record = try await perform(transition, record: record, workshop: workshop, events: events)
        }
        return record
    }

    /// The learner moves on to the next step: allowed from a step without challenges, or one whose challenges
    /// are all complete (which `settle` normally does by itself). With `from` (the step index the learner was
    /// shown), a learner who has moved on since — another tab's Next, a check that completed the step — is told
    /// so instead of skipping a step.
    public func next(_ id: String, workshop: Workshop, from: Int? = nil,
                     events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        let record = try await settle(id, workshop: workshop, events: events)
        guard let state = record.lifecycle else { throw StepNavigation.beforeTheLifecycle(session: id) }
        if let from, from != state.currentStep {
            throw StepNavigation.movedOn(from: from, now: state.currentStep)
        }
        guard state.enteredSteps < workshop.steps.count else {
            throw StepNavigation.lastStep(index: state.currentStep, count: workshop.steps.count)
        }
        let open = workshop.steps[state.currentStep].challenges.filter { !(record.progress[$0.id]?.isComplete ?? false) }
        guard open.isEmpty else { throw StepNavigation.openChallenges(open.map(\.id)) }
        let entered = try await perform(.enter(step: state.enteredSteps), record: record, workshop: workshop, events: events)
        return try await settle(entered.id, workshop: workshop, events: events)
    }

    /// An attempt to claim what someone else claimed first.
    private struct AlreadyClaimed: Error {}

    private func perform(_ transition: Transition, record: LocalSession, workshop: Workshop,
                         events: @escaping @Sendable (SessionEvent) -> Void) async throws -> LocalSession {
        let script: Script?
        var files: [FileCopy] = []
        var run: LifecycleRun
        // Whether the transition is still to do, and what doing it changes: applied once its files and script are done.
        let undone: @Sendable (LocalSession) -> Bool
        let effect: @Sendable (inout LocalSession) -> Void
        switch transition {
        case .enter(let index):
            let step = workshop.steps[index]
            script = step.setup
            files = step.files
            run = LifecycleRun(scope: .step, id: step.id, stage: .setup, script: script != nil)
            undone = { $0.lifecycle?.enteredSteps == index }
            effect = { stored in if stored.lifecycle?.enteredSteps == index { stored.lifecycle?.enteredSteps = index + 1 } }
        case .start(let id):
            script = workshop.challenge(id)?.setup
            files = workshop.challenge(id)?.files ?? []
            run = LifecycleRun(scope: .challenge, id: id, stage: .setup, script: script != nil)
            undone = { $0.progress[id]?.startedAt == nil }
            effect = { stored in if stored.progress[id]?.startedAt == nil { stored.progress[id, default: ChallengeProgress()].startedAt = Date() } }
        case .cleanUp(let id):
            script = workshop.challenge(id)?.cleanup
            run = LifecycleRun(scope: .challenge, id: id, stage: .cleanup, script: script != nil)
            undone = { $0.progress[id]?.cleanedUpAt == nil }
            effect = { stored in if stored.progress[id]?.cleanedUpAt == nil { stored.progress[id, default: ChallengeProgress()].cleanedUpAt = Date() } }
        }
        // The claim is a lease: long enough for the files and the script, so a process that dies while running
        // them leaves a claim that expires (and the next caller runs them again) rather than one held forever.
        let key = transition.key
        let lease = Date().addingTimeInterval(TimeInterval((script?.timeout.seconds ?? 0) + Self.leaseMargin * (1 + files.count)))
        let claimed: LocalSession
        do {
            claimed = try await store.update(record.id) { stored in
                guard undone(stored), !Self.isRunning(key, in: stored) else { throw AlreadyClaimed() }
                stored.lifecycle?.running[key] = lease
            }
        } catch is AlreadyClaimed {
            return try await store.load(record.id) ?? record
        }
        if !files.isEmpty { run.files = files.count }
        if script != nil || !files.isEmpty {
            do {
                try await copyFiles(files, record: claimed, events: events)
                if let script { try await runLifecycleScript(script, record: claimed, workshop: workshop, events: events) }
            } catch {
                _ = try? await store.update(record.id) { stored in stored.lifecycle?.running[key] = nil }
                throw error
            }
        }
        let done = run
        return try await store.update(record.id) { stored in
            // Once: a caller whose lease expired while it still ran finds the transition done already.
            guard undone(stored) else { return }
            effect(&stored)
            stored.lifecycle?.running[key] = nil
            stored.lifecycle?.ran.append(done)
        }
    }

    /// Seconds a lease lasts beyond its script's timeout, and once more for each file it copies (an upload is
    /// bounded by 120 s).
    static let leaseMargin = 120

    /// Whether another caller is running a transition now (its lease has not expired).
    static func isRunning(_ key: String, in record: LocalSession, now: Date = Date()) -> Bool {
        (record.lifecycle?.running[key]).map { $0 > now } ?? false
    }

    /// Whether a challenge's start (its files and setup) is running now, in this process or another.
    public static func isStarting(_ challenge: String, in record: LocalSession) -> Bool {
        isRunning(Transition.start(challenge: challenge).key, in: record)
    }

    /// Copies `files:` into their containers in the order written; a failure is a ``FileCopyFailure``.
    func copyFiles(_ files: [FileCopy], record: LocalSession, events: @escaping @Sendable (SessionEvent) -> Void) async throws {
        guard !files.isEmpty else { return }
        guard let handle = record.handle else {
            throw BackendError(.notFound, "session \(record.id) was never fully started (status \(record.status.rawValue)); `nalabo down --session \(record.id)` removes it")
        }
        // Runs of consecutive files for one container go in one call, keeping the written order across containers.
        var runs: [(container: String, files: [FileCopy])] = []
        for file in files {
            if runs.last?.container == file.container { runs[runs.count - 1].files.append(file) } else { runs.append((file.container, [file])) }
        }
        for run in runs {
            try Task.checkCancellation()
            events(.copyingFiles(count: run.files.count, container: run.container))
            do {
                try await backend.copyFiles(run.files, into: run.container, in: handle)
            } catch let error as BackendError {
                throw FileCopyFailure(container: run.container, targets: run.files.map(\.target), reason: error.description)
            }
        }
    }

    /// Runs a setup or cleanup script; a failure is a ``SetupFailure`` naming it.
    func runLifecycleScript(_ script: Script, record: LocalSession, workshop: Workshop,
                            events: @escaping @Sendable (SessionEvent) -> Void) async throws {
        try Task.checkCancellation()
        guard let container = workshop.container(script.container) else {
            throw BackendError(.notFound, "container \(script.container) of session \(record.id)")
        }
        events(.runningSetup(script: script.displayName, container: container.name))
        let outcome = try await ScriptRunner(backend: backend, record: record).run(script, container: container, sweep: false)
        guard outcome.succeeded else {
            throw SetupFailure(script: script.displayName, container: container.name, outcome: outcome)
        }
        events(.setupFinished(script: script.displayName, seconds: outcome.duration.seconds))
    }
}

/// `nalabo next` could not move on.
public enum StepNavigation: Error, Sendable, CustomStringConvertible, Equatable {
    case lastStep(index: Int, count: Int)
    case openChallenges([String])
    case beforeTheLifecycle(session: String)
    /// The learner is no longer on the step they asked to leave (indices).
    case movedOn(from: Int, now: Int)

    public var description: String {
        switch self {
        case .lastStep(let index, let count):
            "this is the last step (\(index + 1)/\(count)); nothing follows it"
        case .openChallenges(let ids):
            "finish this step first: \(ids.joined(separator: ", ")) \(ids.count == 1 ? "is" : "are") not complete (`nalabo check` grades, `nalabo solve ID` gives up on one)"
        case .movedOn(let from, let now):
            "you are already on step \(now + 1), not step \(from + 1) (moved on elsewhere, in another tab or by a check); nothing was skipped — reload to see it"
        case .beforeTheLifecycle(let session):
            "session \(session) was started by an older nalabo, which set every challenge up at once; every step is open already (`nalabo instructions --step N`)"
        }
    }
}
