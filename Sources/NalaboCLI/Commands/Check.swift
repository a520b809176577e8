import ArgumentParser
import Catalogue
import Foundation
import LabService
import Markdown
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Grade your work: run the checks of the given challenges (default: every started one not yet complete).",
            discussion: "Exit code 0 when every challenge shown is done, 1 when one failed, is still locked or has only just started, 4 when the session expired.")

        @Argument(help: "Challenge ids; default every started challenge not yet complete.") var challenges: [String] = []
        @OptionGroup var selection: SessionOptions
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let session = try selection.open()
            let (store, record, workshop) = (session.store, session.record, session.workshop)
            let service = LabService(backend: try await session.backend(), store: store, catalogue: database.opener)
            let requested = challenges
            let (report, warnings) = try await backendCall { try await service.check(record, workshop: workshop, requested: requested) }
            for warning in warnings { Terminal.standardError.write("warning: \(warning)\n") }
            if format == .json {
                Terminal.standardOutput.write(JSONLines.encode(report) + "\n")
            } else {
                let steps = Dictionary(workshop.steps.enumerated().map { ($1.id, "\($0 + 1), \($1.title)") }) { first, _ in first }
                Terminal.standardOutput.write(GradeText(color: color.resolve(), steps: steps).render(report))
                if report.step != SessionLifecycle.currentStep(record, workshop: workshop) + 1, workshop.steps.indices.contains(report.step - 1) {
                    let title = workshop.steps[report.step - 1].title.terminalSafe(singleLine: true)
                    Terminal.standardOutput.write("step complete: now step \(report.step)/\(workshop.steps.count), \(title) — `nalabo instructions` shows it\n")
                }
            }
            if !report.allPassed { throw ExitCode(ExitStatus.problemsFound) }
        }

    }
}

/// How a grade report reads in a terminal.
struct GradeText {
    var color: Bool
    /// Step ids and how they read: "2, Finding your way around".
    var steps: [String: String] = [:]

    private func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// "1 point", "3 points".
    static func points(_ count: Int) -> String { count == 1 ? "1 point" : "\(count) points" }

    func render(_ report: GradeReport) -> String {
        var text = ""
        for challenge in report.challenges {
            // Titles, reasons and output came from the workshop's author and the learner's container.
            let title = challenge.title.terminalSafe(singleLine: true)
            switch challenge.state {
            case .passed:
                text += paint("32", "✓") + " \(challenge.id) — \(title): passed, \(challenge.points)/\(Self.points(challenge.maxPoints))\n"
            case .complete:
                text += paint("32", "✓") + " \(challenge.id) — \(title): done earlier (\(Self.points(challenge.points)))\n"
            case .skipped:
                text += paint("33", "↷") + " \(challenge.id) — \(title): solved with `nalabo solve` (\(Self.points(challenge.points)))\n"
            case .locked:
                if let step = challenge.waitingForStep, challenge.waitingFor.isEmpty {
                    let name = (steps[step] ?? step).terminalSafe(singleLine: true)
                    text += paint("2", "🔒 \(challenge.id) — \(title): starts at step \(name)") + "\n"
                } else {
                    text += paint("2", "🔒 \(challenge.id) — \(title): locked until \(challenge.waitingFor.joined(separator: ", ")) \(challenge.waitingFor.count == 1 ? "is" : "are") complete") + "\n"
                }
                continue
            case .started:
                text += paint("36", "▶") + " \(challenge.id) — \(title): ready now — do it, then check again\n"
                continue
            case .failed:
                let partial = challenge.points > 0 ? ", \(challenge.points)/\(Self.points(challenge.maxPoints)) so far" : ""
                text += paint("31", "✗") + " \(challenge.id) — \(title): not yet (attempt \(challenge.attempts)\(partial))\n"
            }
            for check in challenge.checks {
                let mark = check.passed ? paint("32", "✓") : paint("31", "✗")
                var line = "    \(mark) \(check.name)"
                if check.maxPoints > 0 && challenge.state != .skipped { line += " (\(check.points)/\(check.maxPoints))" }
                if !check.passed, let reason = check.reason { line += ": \(reason.terminalSafe(singleLine: true))" }
                text += line + "\n"
                if !check.passed {
                    if let message = check.failMessage { text += "        \(message.terminalSafe(singleLine: true))\n" }
                    for failLine in check.failLines { text += "        \(failLine.terminalSafe(singleLine: true))\n" }
                    // No FAIL: line: the end of what it printed, which usually says what went wrong.
                    for line in check.outputTail ?? [] { text += paint("2", "        | \(line.terminalSafe(singleLine: true))") + "\n" }
                }
            }
            if challenge.state == .failed, !challenge.hints.isEmpty {
                for (index, hint) in challenge.hints.enumerated() {
                    text += paint("33", "    hint \(index + 1): ") + MarkdownTerminal(color: color).inline(hint) + "\n"
                }
            }
        }
        // Nothing was run: every challenge shown is complete (done earlier or solved), or there is none.
        let graded = report.challenges.contains { $0.state == .passed || $0.state == .failed }
        let open = !report.allPassed
        if !graded && !open { text += "nothing to grade: every challenge is complete\n" }
        text += "score: \(report.score)/\(report.maxScore)\n"
        return text
    }
}
