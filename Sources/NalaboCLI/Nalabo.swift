import ArgumentParser
import Foundation

/// nalabo: workshops as code. The commands only parse arguments and print; the work happens in the
/// libraries. The executable (Sources/nalabo) calls ``runCommandLine()``.
public struct Nalabo: AsyncParsableCommand {
    static let version = "0.1.0"

    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "nalabo",
        abstract: "Hands-on workshops as code: validate, test and publish them; run them for learners.",
        discussion: """
            Exit codes: 0 success; 1 problems were found (validation errors, or warnings with --strict); \
            2 the command could not run (bad arguments, a path that does not exist, an unwritable output); \
            3 the catalogue or the container engine is unreachable; 4 not permitted (an expired session too); 5 version conflict; \
            6 plan quota exceeded; 7 not found (a session, challenge or container); 130 interrupted.
            """,
        version: version,
        groupedSubcommands: [
            CommandGroup(name: "Learning", subcommands: [
                Up.self, Shell.self, Instructions.self, Check.self, Next.self, Status.self, Solve.self, Down.self, Sessions.self, Prune.self,
            ]),
            CommandGroup(name: "Authoring", subcommands: [Init.self, Validate.self, Test.self, Bundle.self, Plans.self, Schema.self]),
            CommandGroup(name: "Catalogue", subcommands: [
                Publish.self, Pull.self, CatalogueCommand.self, Yank.self, Stats.self, Whoami.self, Admin.self,
            ]),
            CommandGroup(name: "Hosting", subcommands: [Serve.self, Tokens.self]),
        ]
    )

    /// Runs the command line, mapping argument errors to exit code 2 as docs/cli.md documents.
    public static func runCommandLine() async {
        // Writes to a closed pipe fail with EPIPE (handled where output is written) instead of killing nalabo.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            // Every failure a command reports is printed here, once, and mapped to its exit code.
            Terminal.standardError.write("error: \(failure.message)\n")
            Foundation.exit(failure.status)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Terminal.standardError.write(message + "\n") }
            Foundation.exit(code == .validationFailure ? ExitStatus.couldNotRun : code.rawValue)
        }
    }
}
