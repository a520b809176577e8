/// Checks what the schema alone cannot: unique ids, references, dependency cycles, the plan's limits, and
/// what `nalabo test` needs. Every check reports into the sink and goes on.
public struct WorkshopValidator {
    public var plan: Plan?

    /// - Parameter plan: the plan whose limits apply, or nil to check structure and references only.
    public init(plan: Plan?) {
        self.plan = plan
    }

    public func validate(_ workshop: Workshop, bundleBytes: Int, into sink: DiagnosticSink) {
        // `Workshop.challenges` gathers every step's challenges into a new array: gathered once, for every check.
        let challenges = workshop.challenges
        checkUniqueIdentifiers(workshop, challenges, sink)
        checkReferences(workshop, challenges, sink)
        checkDependencyCycles(challenges, sink)
        checkSolves(challenges, sink)
        checkStepOrder(workshop, hasChallenges: !challenges.isEmpty, sink)
        checkSecrets(workshop, sink)
        checkPorts(workshop, sink)
        if let plan {
            PlanLimits(plan: plan).check(workshop, challenges: challenges, bundleBytes: bundleBytes, into: sink)
        }
    }
}

extension WorkshopValidator {
    /// Ports are served from the session's network; a container without one has nothing to publish them on.
    func checkPorts(_ workshop: Workshop, _ sink: DiagnosticSink) {
        guard workshop.environment.network == .none else { return }
        for container in workshop.environment.containers {
            if let first = container.ports.first {
                sink.report(.portsWithoutNetwork(container.name), at: first.location)
            }
        }
    }

    /// Container names, step ids and challenge ids are unique in the workshop; check names in their challenge.
    func checkUniqueIdentifiers(_ workshop: Workshop, _ challenges: [Challenge], _ sink: DiagnosticSink) {
        reportDuplicates(workshop.environment.containers.map { Located($0.name, at: $0.$name) }, kind: "container name", sink)
        reportDuplicates(workshop.steps.map { Located($0.id, at: $0.$id) }, kind: "step id", sink)
        reportDuplicates(challenges.map { Located($0.id, at: $0.$id) }, kind: "challenge id", sink)
        for challenge in challenges {
            reportDuplicates(challenge.checks.map { Located($0.name, at: $0.$name) }, kind: "check name in challenge '\(challenge.id)'", sink)
        }
    }

    private func reportDuplicates(_ values: [Located<String>], kind: String, _ sink: DiagnosticSink) {
        var first: [String: SourceLocation] = [:]
        for value in values where !value.value.isEmpty {
            if let earlier = first[value.value] {
                sink.report(.duplicateIdentifier(value.value, kind: kind, firstLine: earlier.line), at: value.location,
                            notes: [.init("first defined here", at: earlier)])
            } else {
                first[value.value] = value.location
            }
        }
    }

    /// `needs` names existing challenges other than itself; every script names an existing container.
    func checkReferences(_ workshop: Workshop, _ challenges: [Challenge], _ sink: DiagnosticSink) {
        let challengeIDs = challenges.map(\.id).filter { !$0.isEmpty }
        for challenge in challenges {
            for need in challenge.needs where !challengeIDs.contains(need.value) {
                sink.report(.unknownChallenge(need.value, known: challengeIDs), at: need.location)
            }
        }
        let containerNames = workshop.environment.containers.map(\.name).filter { !$0.isEmpty }
        guard !containerNames.isEmpty else { return }
        for script in workshop.scripts where !script.container.isEmpty && !containerNames.contains(script.container) {
            sink.report(.unknownContainer(script.container, known: containerNames), at: script.$container)
        }
        for copy in workshop.fileCopies where !copy.container.isEmpty && !containerNames.contains(copy.container) {
            sink.report(.unknownContainer(copy.container, known: containerNames), at: copy.$container)
        }
    }

    /// Reports each cycle in `needs` once, at the reference that closes it.
    func checkDependencyCycles(_ all: [Challenge], _ sink: DiagnosticSink) {
        let challenges = all.filter { !$0.id.isEmpty }
        let needs = Dictionary(challenges.map { ($0.id, $0.needs) }, uniquingKeysWith: { first, _ in first })
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []

        func visit(_ id: String) {
            marks[id] = .visiting
            path.append(id)
            for need in needs[id] ?? [] {
                switch marks[need.value] {
                case .visiting?:
                    let start = path.lastIndex(of: need.value) ?? 0
                    sink.report(.dependencyCycle(Array(path[start...]) + [need.value]), at: need.location)
                case nil where needs[need.value] != nil:
                    visit(need.value)
                default:
                    break
                }
            }
            path.removeLast()
            marks[id] = .done
        }
        for challenge in challenges where marks[challenge.id] == nil {
            visit(challenge.id)
        }
    }

    /// A challenge starts once its step is reached and its needs are complete, and a step is reached only after
    /// the one before it is done: a need in a later step could never be met. A workshop without any challenge is
    /// allowed (reading only) but worth a warning.
    func checkStepOrder(_ workshop: Workshop, hasChallenges: Bool, _ sink: DiagnosticSink) {
        guard hasChallenges else {
            sink.report(.noChallenges, at: workshop.steps.first?.$id ?? workshop.metadata.$slug)
            return
        }
        var stepOf: [String: Int] = [:]
        for (index, step) in workshop.steps.enumerated() {
            for challenge in step.challenges where stepOf[challenge.id] == nil { stepOf[challenge.id] = index }
        }
        for (index, step) in workshop.steps.enumerated() {
            for challenge in step.challenges {
                for need in challenge.needs {
                    if let later = stepOf[need.value], later > index {
                        sink.report(.needsLaterStep(challenge.id, needs: need.value, step: workshop.steps[later].id), at: need.location)
                    }
                }
            }
        }
    }

    /// A secret's value comes from outside the spec, so it is not also an env value; an env value that looks
    /// like a credential (by its name or its form) is worth a warning, since everyone with the spec reads it.
    func checkSecrets(_ workshop: Workshop, _ sink: DiagnosticSink) {
        for container in workshop.environment.containers {
            let secrets = Set(container.secrets.map(\.value))
            for secret in container.secrets where container.env.contains(where: { $0.name == secret.value }) {
                sink.report(.secretAlsoInEnv(secret.value, container: container.name), at: secret.location)
            }
            for variable in container.env where !secrets.contains(variable.name) {
                if let why = CredentialShape.why(name: variable.name, value: variable.value) {
                    sink.report(.credentialInEnv(variable.name, container: container.name, why: why), at: container.location)
                }
            }
        }
    }

    /// A challenge without a solve cannot be exercised by `nalabo test`.
    func checkSolves(_ challenges: [Challenge], _ sink: DiagnosticSink) {
        for challenge in challenges where challenge.solve == nil && !challenge.id.isEmpty {
            sink.report(.missingSolve(challenge.id), at: challenge.$id)
        }
    }
}

extension Workshop {
    /// Every script of the workshop: environment setup, then per step its setup and per challenge its setup,
    /// checks, solve and cleanup.
    public var scripts: [Script] {
        var scripts = environment.setup
        for step in steps {
            if let setup = step.setup { scripts.append(setup) }
            for challenge in step.challenges {
                if let setup = challenge.setup { scripts.append(setup) }
                scripts += challenge.checks.map(\.script)
                if let solve = challenge.solve { scripts.append(solve) }
                if let cleanup = challenge.cleanup { scripts.append(cleanup) }
            }
        }
        return scripts
    }

    /// Every file `files:` copies: the containers', then each step's and its challenges'.
    public var fileCopies: [FileCopy] {
        environment.containers.flatMap(\.files) + steps.flatMap { step in step.files + step.challenges.flatMap(\.files) }
    }

    /// The challenges ordered so that each comes after everything it needs (steps order otherwise).
    /// Challenges in a cycle keep their written order; validation reports the cycle.
    public var challengesInDependencyOrder: [Challenge] {
        let all = challenges
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var ordered: [Challenge] = []
        var placed: Set<String> = []
        var visiting: Set<String> = []
        func place(_ challenge: Challenge) {
            guard !placed.contains(challenge.id), visiting.insert(challenge.id).inserted else { return }
            for need in challenge.needs { if let required = byID[need.value] { place(required) } }
            visiting.remove(challenge.id)
            if placed.insert(challenge.id).inserted { ordered.append(challenge) }
        }
        all.forEach(place)
        return ordered
    }
}
