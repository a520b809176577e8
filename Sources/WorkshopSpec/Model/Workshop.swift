/// A workshop as its spec describes it, with defaults applied and referenced files read in.
///
/// Every value keeps the place it was written (`$name` on a `@Located` property), so validation can point
/// at it. The runtime and the catalogue consume the same model; ``Bundle`` is its canonical form.
public struct Workshop: Sendable {
    public var metadata: Metadata
    public var environment: Environment
    public var limits: Limits
    public var steps: [Step]

    public init(metadata: Metadata, environment: Environment, limits: Limits, steps: [Step]) {
        self.metadata = metadata
        self.environment = environment
        self.limits = limits
        self.steps = steps
    }

    /// Every challenge, in the order the steps list them.
    public var challenges: [Challenge] { steps.flatMap(\.challenges) }

    /// The challenge with an id, if any.
    public func challenge(_ id: String) -> Challenge? {
        for step in steps { if let found = step.challenges.first(where: { $0.id == id }) { return found } }
        return nil
    }

    /// The container with a name, if any.
    public func container(_ name: String) -> Container? {
        environment.containers.first { $0.name == name }
    }
}

/// What a workshop is called and what it is about.
public struct Metadata: Sendable {
    @Located public var slug: String
    @Located public var title: String
    @Located public var version: String
    public var summary: String?
    public var tags: [Located<String>]
    public var difficulty: Difficulty?
    public var duration: SpecDuration?
}

public enum Difficulty: String, Sendable, Hashable, CaseIterable {
    case beginner, intermediate, advanced
}

/// How long a learner's session lives.
public struct Limits: Sendable {
    @Located public var session: SpecDuration
}
