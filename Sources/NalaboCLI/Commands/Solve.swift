import ArgumentParser
import Foundation
import LabService
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Solve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "solve",
            abstract: "Run a challenge's reference solution, for when you give up: it is marked skipped and earns no more points.")

        @Argument(help: "The challenge id.") var challenge: String
        @OptionGroup var selection: SessionOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let session = try selection.open()
            let (store, record, workshop) = (session.store, session.record, session.workshop)
            let service = LabService(backend: try await session.backend(), store: store, catalogue: database.opener)
            let id = challenge
            let (outcome, warnings) = try await backendCall { try await service.solve(record, workshop: workshop, challenge: id) }
            let output = (outcome.stdout.text + outcome.stderr.text).trimmingCharacters(in: .whitespacesAndNewlines)
            if !output.isEmpty { Swift.print(output.terminalSafe()) }  // the container's words
            guard outcome.succeeded else {
                let why = outcome.timedOut ? "timed out" : "exited with status \(outcome.exitCode.map(String.init) ?? "none")"
                throw CommandFailure("the reference solution of \(challenge) \(why); the challenge is not marked solved", status: ExitStatus.problemsFound).exit()
            }
            for warning in warnings { Terminal.standardError.write("warning: \(warning)\n") }
            Swift.print("solved \(challenge) with its reference solution (marked skipped, no more points); `nalabo check \(challenge)` confirms it")
        }
    }
}
