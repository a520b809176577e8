import WorkshopSpec

/// The verdict on one check run.
public struct CheckResult: Sendable, Codable, Equatable {
    public var name: String
    public var passed: Bool
    /// Points earned: the check's points when it passed, else 0.
    public var points: Int
    public var maxPoints: Int
    public var timedOut: Bool
    public var outOfMemory: Bool
    /// Why it failed, in plain words (nil when it passed).
    public var reason: String?
    /// The check's `fail_message`, when it failed.
    public var failMessage: String?
    /// Lines the script printed that start with `FAIL:`, without the prefix.
    public var failLines: [String]
    public var exitCode: Int?
    public var stdout: String
    public var stderr: String
    public var seconds: Double

    /// Judges an outcome against the check's expectation.
    public init(check: Check, outcome: ScriptOutcome) {
        name = check.name
        maxPoints = check.points
        timedOut = outcome.timedOut
        outOfMemory = outcome.outOfMemory
        exitCode = outcome.exitCode
        stdout = outcome.stdout.text
        stderr = outcome.stderr.text
        seconds = Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
        failLines = (stdout + "\n" + stderr).split(separator: "\n").compactMap { line in
            line.hasPrefix("FAIL:") ? String(line.dropFirst(5).drop(while: { $0 == " " })) : nil
        }
        reason = Self.reason(check: check, outcome: outcome)
        passed = reason == nil
        points = passed ? check.points : 0
        failMessage = passed ? nil : check.failMessage
    }

    static func reason(check: Check, outcome: ScriptOutcome) -> String? {
        let expect = check.expect
        if outcome.timedOut {
            return "timed out after \(check.script.timeout); its processes were stopped"
                + (outcome.outOfMemory ? " (a process ran out of memory)" : "")
        }
        guard let code = outcome.exitCode else { return "did not finish" }
        if outcome.outOfMemory && code != expect.exit {
            return "a process was killed because the container ran out of memory"
        }
        if code != expect.exit {
            let killed = code > 128 && code < 160 ? " (killed by signal \(code - 128))" : ""
            return expect.exit == 0 ? "exited with status \(code)\(killed)" : "exited with status \(code)\(killed), expected \(expect.exit)"
        }
        let output = outcome.stdout.text
        if let exact = expect.stdout {
            let trimmed = output.hasSuffix("\n") ? String(output.dropLast()) : output
            let wanted = exact.hasSuffix("\n") ? String(exact.dropLast()) : exact
            if trimmed != wanted { return "printed \(Self.quote(trimmed)), expected \(Self.quote(wanted))" }
        }
        if let needle = expect.stdoutContains, !output.contains(needle) {
            return "its output does not contain \(Self.quote(needle))"
        }
        if let pattern = expect.stdoutMatches {
            guard let regex = try? Regex(pattern) else { return "its stdout_matches pattern is not a valid regular expression" }
            if (try? regex.firstMatch(in: output)) == nil { return "its output does not match /\(pattern)/" }
        }
        return nil
    }

    private static func quote(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
        return "\"" + shown.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
