import Foundation
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
    /// What the run printed; empty when its check hides its output (`show_output: false`).
    public var stdout: String
    public var stderr: String
    /// The last lines of a failing run's output, for the learner, when it printed no `FAIL:` line and its check
    /// shows output: at most ``tailLines`` lines of ``tailWidth`` characters. Nil otherwise.
    public var outputTail: [String]?
    public var seconds: Double

    public static let tailLines = 10
    public static let tailWidth = 200

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
        if !check.showOutput {
            // The author hides what the check prints (it may show the expected answer): only FAIL: lines, which
            // the author wrote for the learner, are kept.
            stdout = ""
            stderr = ""
        } else if !passed && failLines.isEmpty {
            let lines = (outcome.stdout.text + "\n" + outcome.stderr.text).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let tail = lines.suffix(Self.tailLines).map { $0.count > Self.tailWidth ? String($0.prefix(Self.tailWidth - 1)) + "…" : $0 }
            outputTail = tail.isEmpty ? nil : Array(tail)
        }
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
            if trimmed != wanted {
                return check.showOutput ? "printed \(Self.quote(trimmed)), expected \(Self.quote(wanted))" : "its output is not the expected one"
            }
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
