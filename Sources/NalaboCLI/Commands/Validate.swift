import ArgumentParser
import WorkshopSpec

extension Nalabo {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check workshop specs and report every problem, like a compiler.",
            discussion: """
                PATH may be a spec file, a workshop directory, or a tree to search for workshop.yaml and \
                workshop.yml (hidden folders and .build are skipped). Every problem of every file is reported, \
                sorted by file, line and column, as PATH:LINE:COLUMN: error: MESSAGE [RULE].

                Exit codes: 0 no errors (warnings allowed unless --strict); 1 errors found; \
                2 the command could not run (bad arguments, a path that does not exist).
                """
        )

        @Argument(help: "Spec files, workshop directories or trees to search.", completion: .file())
        var paths: [String] = ["."]

        @Option(help: "The plan whose limits apply: \(Plan.all.map(\.id).joined(separator: ", ")).")
        var plan: String = Plan.free.id

        @Option(help: "Output format: text, json, github (workflow annotations) or sarif (SARIF 2.1.0).")
        var format: DiagnosticFormat = .text

        @Flag(help: "Fail on warnings too.")
        var strict = false

        @Option(help: "Colour in text output: auto (on a terminal without NO_COLOR), always or never.")
        var color: ColorChoice = .auto

        func validate() throws {
            guard Plan.named(plan) != nil else {
                throw ValidationError("unknown plan '\(plan)'; expected one of \(Plan.all.map(\.id).joined(separator: ", "))")
            }
        }

        func run() throws {
            let files: [String]
            switch SpecDiscovery.find(in: paths) {
            case .success(let found): files = found
            case .failure(.notFound(let path)):
                throw CommandFailure("'\(path)' does not exist; give a spec file, a workshop directory or a tree to search").exit()
            }
            guard !files.isEmpty else {
                throw CommandFailure("no workshop.yaml or workshop.yml found under \(paths.map { "'\($0)'" }.joined(separator: ", "))").exit()
            }
            let loader = SpecLoader(plan: Plan.named(plan))
            let report = loader.report(paths: files)
            print(format.reporter(color: color.resolve(), showSource: Terminal.outputIsTerminal).render(report), terminator: "")
            if report.errorCount > 0 || (strict && report.warningCount > 0) {
                throw ExitCode(ExitStatus.problemsFound)
            }
        }
    }
}

/// `--format` for diagnostics.
enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github, sarif

    func reporter(color: Bool, showSource: Bool) -> any DiagnosticReporter {
        switch self {
        case .text: TextReporter(colored: color, showSource: showSource)
        case .json: JSONReporter()
        case .github: GitHubReporter()
        case .sarif: SARIFReporter(toolVersion: Nalabo.version)
        }
    }
}
