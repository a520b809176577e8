import ArgumentParser
import Testing
@testable import NalaboCLI

/// Every command spells its own name. ArgumentParser derives a missing one from `String(describing:)` of the
/// command's type when it builds the command tree, at every start; each such call scans every protocol
/// conformance in the binary (most of the start-up of `nalabo check`, which learners run again and again).
@Suite struct CommandNameTests {
    @Test func everyCommandNamesItself() {
        func walk(_ command: any ParsableCommand.Type, _ path: String) {
            let name = command.configuration.commandName
            #expect(name != nil, "the command under \(path) has no commandName")
            for subcommand in command.configuration.subcommands {
                walk(subcommand, path + " " + (name ?? "?"))
            }
        }
        walk(Nalabo.self, "")
    }
}
