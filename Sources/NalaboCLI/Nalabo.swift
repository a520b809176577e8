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
                Up.self, Shell.self, Instructions.self, Check.self, Next.self, Run.self, Status.self, Solve.self, Down.self, Sessions.self, Prune.self,
            ]),
            CommandGroup(name: "Authoring", subcommands: [Init.self, Validate.self, Test.self, Bundle.self, Import.self, Plans.self, Schema.self]),
            CommandGroup(name: "Catalogue", subcommands: [
                Publish.self, Pull.self, CatalogueCommand.self, Yank.self, Stats.self, Whoami.self, Admin.self,
            ]),
            CommandGroup(name: "Hosting", subcommands: [Serve.self, Tokens.self]),
        ]
    )

    /// What to say when the first argument names no command (a typo, or one this nalabo does not have yet): that
    /// it is unknown, the likeliest intended one, and every command; nil when it names one, or is an option.
    static func unknownCommand(_ first: String?) -> String? {
        guard let first, !first.hasPrefix("-") else { return nil }
        let groups = configuration.groupedSubcommands.map { ($0.name, $0.subcommands.map { $0._commandName }) }
        let names = configuration.subcommands.map { $0._commandName } + groups.flatMap(\.1) + ["help"]
        guard !names.contains(first) else { return nil }
        var text = "'\(first)' is not a nalabo command"
        let close = names.map { ($0, editDistance(first, $0)) }.filter { $0.1 <= max(1, $0.0.count / 3) }.min { $0.1 < $1.1 }
        if let (name, _) = close { text += "; did you mean '\(name)'?" }
        text += "\nthe commands:\n" + groups.map { "  \($0.0.lowercased()): \($0.1.joined(separator: ", "))" }.joined(separator: "\n")
        return text + "\n`nalabo --help` describes them, `nalabo help COMMAND` each one"
    }

    /// A command line naming a command without subcommands (`validate`, `up`, `check`...), parsed as that command
    /// alone, or nil to parse through the root as every other line is. Parsing through the root builds every
    /// command's arguments first (about a fifth of a one-file `validate`'s start-up, and `validate` runs in CI on
    /// every push). Help, version and completion requests, and anything the parse rejects, return nil: the root
    /// then prints them exactly as before.
    static func leafCommandAlone(_ arguments: [String]) -> ParsableCommand? {
        let commands = configuration.subcommands + configuration.groupedSubcommands.flatMap(\.subcommands)
        guard let name = arguments.first, let type = commands.first(where: { $0._commandName == name }),
              type.configuration.subcommands.isEmpty, type.configuration.groupedSubcommands.isEmpty else { return nil }
        let rest = arguments.dropFirst()
        let handledByTheRoot = ["help", "-h", "--help", "-help", "--version"]
        guard !rest.contains(where: { handledByTheRoot.contains($0) || $0.hasPrefix("--generate-completion") || $0.hasPrefix("--experimental") })
        else { return nil }
        return try? type.parse(Array(rest))
    }

    /// Levenshtein distance, for suggesting a command.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Runs the command line, mapping argument errors to exit code 2 as docs/cli.md documents.
    public static func runCommandLine() async {
        // Writes to a closed pipe fail with EPIPE (handled where output is written) instead of killing nalabo.
        signal(SIGPIPE, SIG_IGN)
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            var command: ParsableCommand
            if let alone = leafCommandAlone(arguments) {
                command = alone
            } else if let unknown = unknownCommand(arguments.first) {
                throw CommandFailure(unknown)
            } else {
                command = try parseAsRoot()
            }
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
