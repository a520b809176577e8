import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Prove every challenge is solvable and its checks meaningful, each workshop in a fresh session.",
            discussion: """
                Per challenge, in dependency order: its setup runs, its checks must not all pass, its solution runs, \
                then all of its checks must pass. Exit code 0 when every challenge of every run passed; 1 when one \
                failed or a spec has errors; 2 when a path does not exist; 3 when the engine is unreachable; 130 when \
                interrupted (the session in progress is removed).
                """)

        @Argument(help: "Workshop directories, workshop.yaml files, or directories to search.", completion: .directory)
        var paths: [String] = ["."]
        @Option(help: "Also enforce a plan's limits (free, pro, team).") var plan: String?
        @Option(help: "Run every workshop N times, each in a fresh session, to expose flaky checks.") var `repeat`: Int = 1
        @Option(help: "Write a JUnit XML report to FILE.", completion: .file()) var junit: String?
        @Option(help: "A file of NAME=value lines with the values of workshops' secrets (else NALABO_SECRET_NAME).") var secrets: String?
        @Flag(help: "Keep the session of a failed run, to inspect it.") var keepOnFailure = false
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @Flag(name: .shortAndLong, help: "Print only the summary and what failed.") var quiet = false
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto

        func validate() throws {
            guard (1...100).contains(`repeat`) else { throw ValidationError("--repeat takes 1 to 100") }
        }

        @OptionGroup(title: "Backend") var backendOptions: BackendOptions

        func run() async throws {
            let chosenPlan = try plan.map { name in
                guard let plan = Plan.named(name) else { throw CommandFailure("unknown plan \(name); `nalabo plans` lists them").exit() }
                return plan
            }
            var workshops: [(Workshop, String)] = []
            switch SpecDiscovery.find(in: paths) {
            case .failure(.notFound(let path)):
                throw CommandFailure("'\(path)' does not exist; give workshop directories or workshop.yaml files").exit()
            case .success(let files):
                guard !files.isEmpty else { throw CommandFailure("no workshop.yaml found under \(paths.joined(separator: ", "))").exit() }
                var invalid = false
                for file in files {
                    do {
                        workshops.append((try SpecPath.loadValid(file, plan: chosenPlan), file))
                    } catch {
                        // Every file is reported, not only the first that fails.
                        if let failure = error as? CommandFailure { Terminal.standardError.write("error: \(failure.message)\n") }
                        invalid = true
                    }
                }
                if invalid { throw ExitCode(ExitStatus.problemsFound) }
            }

            let json = format == .json
            let colored = color.resolve()
            let backend = try await backendOptions.connect()
            var tester = WorkshopTester(provisioner: SessionProvisioner(backend: backend, store: SessionStore.standard()))
            tester.keepOnFailure = keepOnFailure
            tester.secrets.file = secrets
            let frozenTester = tester
            // Only image pulls are shown while testing, on standard error; with --format json, each run is one
            // JSON line on standard output and nothing else.
            let display = ProgressDisplay(mode: json ? .quiet : ProgressDisplay.mode(json: false, quiet: quiet), pullsOnly: true)
            var runs: [WorkshopTestRun] = []
            for run in 1...`repeat` {
                for (workshop, file) in workshops {
                    if !json && !quiet {
                        Terminal.standardOutput.write("\(workshop.metadata.slug)@\(workshop.metadata.version) (\(file))\(`repeat` > 1 ? ", run \(run)/\(`repeat`)" : "")\n")
                    }
                    let result: WorkshopTestRun
                    do {
                        result = try await Interrupts.cancelling {
                            try await frozenTester.test(workshop, source: file, run: run, events: { display.handle($0) }) { challenge in
                                // Quiet still says what failed and why; only the passing lines go.
                                guard !json, !quiet || !challenge.passed else { return }
                                Terminal.standardOutput.write(TestText(color: colored).line(challenge, workshop: quiet ? workshop.metadata.slug : nil))
                            }
                        }
                    } catch is CancellationError {
                        throw CommandFailure("interrupted; the session under test was removed", status: 130).exit()
                    }
                    if result.sessionProblem == nil && workshop.challenges.isEmpty && !json {
                        Terminal.standardOutput.write(TestText(color: colored).paint("33", "  tested nothing: the workshop has no challenge") + "\n")
                    }
                    if let problem = result.sessionProblem, !json {
                        Terminal.standardOutput.write(TestText(color: colored).paint("31", "  ✗ the session did not come up: ") + problem.terminalSafe() + "\n")
                    } else if keepOnFailure, !result.passed, let session = result.session, !json {
                        Terminal.standardOutput.write("  the session \(session) was kept for inspection: `nalabo shell --session \(session)`, then `nalabo down --session \(session)`\n")
                    }
                    runs.append(result)
                    if json { Terminal.standardOutput.write(JSONLines.encode(result) + "\n") }
                }
            }
            if let junit {
                do {
                    try Data(JUnitReport.xml(runs).utf8).write(to: URL(fileURLWithPath: junit))
                } catch {
                    throw CommandFailure("cannot write the JUnit report to \(junit): \(describe(error))").exit()
                }
            }
            if !json { Terminal.standardOutput.write(TestText(color: colored).summary(runs)) }
            if runs.contains(where: { !$0.passed }) { throw ExitCode(ExitStatus.problemsFound) }
        }
    }
}

/// How `nalabo test` reads in a terminal.
struct TestText {
    var color: Bool

    func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// One challenge's line; `workshop` names it too (quiet output, where no heading says which workshop).
    func line(_ result: ChallengeTestResult, workshop: String? = nil) -> String {
        let time = String(format: "%6.2fs", result.seconds)
        let name = workshop.map { "\($0)/\(result.challenge)" } ?? result.challenge
        if result.passed { return "  " + paint("32", "✓") + " \(time)  \(name)\n" }
        // A reason is one line, whatever line endings the script printed (CR, CRLF, LF).
        return "  " + paint("31", "✗") + " \(time)  \(name) — \(result.failedPhase?.rawValue ?? "failed"): \((result.problem ?? "").terminalSafe(singleLine: true))\n"
    }

    func summary(_ runs: [WorkshopTestRun]) -> String {
        var rows: [[String]] = []
        for run in runs {
            let passed = run.challenges.filter(\.passed).count
            rows.append([run.workshop, String(run.run), run.sessionProblem != nil ? "session failed" : "\(passed)/\(run.challenges.count)",
                         String(format: "%.1fs", run.upSeconds), String(format: "%.1fs", run.seconds), run.passed ? "ok" : "FAILED"])
        }
        let failed = runs.filter { !$0.passed }.count
        var text = "\n" + table(["WORKSHOP", "RUN", "CHALLENGES", "UP", "TOTAL", "RESULT"], rows) + "\n"
        text += failed == 0 ? paint("32", "all \(runs.count) run\(runs.count == 1 ? "" : "s") passed") + "\n"
            : paint("31", "\(failed) of \(runs.count) run\(runs.count == 1 ? "" : "s") failed") + "\n"
        return text
    }
}
