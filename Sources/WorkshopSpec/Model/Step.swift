/// One step of a workshop: instructions and the challenges that grade them.
public struct Step: Sendable {
    @Located public var id: String
    public var title: String
    public var content: Content
    /// Run when the learner enters the step (before its challenges' setups).
    public var setup: Script?
    public var challenges: [Challenge]
    /// Copied when the learner enters the step, before its setup.
    public var files: [FileCopy] = []
}

/// A task the learner completes; all of its checks must pass.
public struct Challenge: Sendable {
    @Located public var id: String
    public var title: String
    public var content: Content?
    public var hints: [String]
    /// Challenges that must be complete before this one.
    public var needs: [Located<String>]
    public var setup: Script?
    public var checks: [Check]
    public var solve: Script?
    /// Run once the challenge is complete, passed or solved.
    public var cleanup: Script?
    /// Copied when the challenge starts, before its setup.
    public var files: [FileCopy] = []
    /// Where the challenge's mapping starts.
    public var location: SourceLocation

    /// The most points the challenge can earn.
    public var maxPoints: Int { checks.reduce(0) { $0 + $1.points } }
}

/// A script whose result grades a challenge.
public struct Check: Sendable {
    @Located public var name: String
    public var script: Script
    public var points: Int
    public var expect: Expectation
    public var failMessage: String?
    /// Whether the learner sees the end of the output of a failing run (`show_output`).
    public var showOutput = true
}

/// What a passing check run looks like; every given condition must hold.
public struct Expectation: Sendable, Hashable {
    public var exit: Int = 0
    /// The exact standard output, compared without one trailing newline.
    public var stdout: String?
    public var stdoutContains: String?
    /// A regular expression (Swift `Regex` syntax) that must match somewhere in the standard output.
    public var stdoutMatches: String?

    public init(exit: Int = 0, stdout: String? = nil, stdoutContains: String? = nil, stdoutMatches: String? = nil) {
        self.exit = exit
        self.stdout = stdout
        self.stdoutContains = stdoutContains
        self.stdoutMatches = stdoutMatches
    }
}
