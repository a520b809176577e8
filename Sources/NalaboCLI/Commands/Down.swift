import ArgumentParser
import Catalogue
import Foundation
import LabService
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "down",
            abstract: "Remove a session: its containers, networks and local state.",
            discussion: "With a workshop from the catalogue, the session's end and score are recorded there.")

        @OptionGroup var selection: SessionOptions
        @Flag(help: "Remove every session of this user.") var all = false
        @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = SessionStore.standard()
            let records = all ? store.all().sessions : [try selection.record(in: store)]
            if records.isEmpty {
                if !quiet { Swift.print("no sessions") }
                return
            }
            var failed = false
            for record in records {
                let problems: [String]
                do {
                    let service = LabService(backend: try await reopenBackend(record), store: store, catalogue: database.opener)
                    // The catalogue decides the ending and the score from what it recorded.
                    let ended = await service.end(record)
                    problems = ended.problems
                    for warning in ended.warnings { Terminal.standardError.write("warning: \(warning)\n") }
                } catch let failure as CommandFailure where all {
                    // Reported here, and the others go on: they may be on backends that answer.
                    Terminal.standardError.write("error: \(failure.message)\n")
                    failed = true
                    continue
                }
                if problems.isEmpty {
                    if !quiet { Swift.print("removed session \(record.id) (\(record.workshop.slug)@\(record.workshop.version))") }
                } else {
                    failed = true
                    Terminal.standardError.write("error: session \(record.id) was not removed completely:\n"
                        + problems.map { "  \($0)\n" }.joined() + "run `nalabo down --session \(record.id)` again, or `nalabo prune`\n")
                }
            }
            if failed { throw ExitCode(ExitStatus.couldNotRun) }
        }
    }
}
