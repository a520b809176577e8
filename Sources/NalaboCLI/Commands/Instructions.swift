import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Instructions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "instructions",
            abstract: "Print a step's instructions readably: the current step, or STEP (a number or an id).",
            discussion: "With --next, first move on to the following step, as `nalabo next` does.")

        @Argument(help: "A step number (1-based) or id; default the current step.") var step: String?
        @Flag(help: "Print every step.") var all = false
        @Flag(help: "Move on to the next step first (its setup runs), then print it.") var next = false
        @OptionGroup var selection: SessionOptions
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto

        func run() async throws {
            let session = try selection.open()
            var (record, workshop) = (session.record, session.workshop)
            guard !workshop.steps.isEmpty else { return }
            if next {
                record = try await Nalabo.Next.moveOn(session, database: database)
            }
            let indices: [Int]
            if all {
                indices = Array(workshop.steps.indices)
            } else if let step {
                indices = [try Self.stepIndex(step, in: workshop)]
            } else {
                indices = [SessionLifecycle.currentStep(record, workshop: workshop)]
            }
            let text = indices.map { SessionText.step(workshop, index: $0, color: color.resolve()) }.joined(separator: "\n")
            Terminal.standardOutput.write(text + "\n")
        }

        /// The index of a step named by its number (from 1) or its id.
        static func stepIndex(_ step: String, in workshop: Workshop) throws -> Int {
            if let number = Int(step), workshop.steps.indices.contains(number - 1) { return number - 1 }
            if let index = workshop.steps.firstIndex(where: { $0.id == step }) { return index }
            throw CommandFailure("this workshop has no step \(step); its steps: 1-\(workshop.steps.count) or \(workshop.steps.map(\.id).joined(separator: ", "))",
                                 status: ExitStatus.notFound).exit()
        }
    }
}
