import ArgumentParser
import Foundation
import LabService
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Move on to the next step: its setup runs and its instructions are printed.",
            discussion: """
                A step with challenges is left by itself once they are all complete (a check that completes the \
                last one moves on); `next` leaves a step without challenges, or one whose challenges are done. \
                Exit code 1 while the current step has challenges not complete, or at the last step.
                """)

        @OptionGroup var selection: SessionOptions
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let session = try selection.open()
            let record = try await Self.moveOn(session, database: database)
            let index = SessionLifecycle.currentStep(record, workshop: session.workshop)
            Terminal.standardOutput.write(SessionText.step(session.workshop, index: index, color: color.resolve()) + "\n")
        }

        /// Moves the session on one step, showing the setups that run; the record afterwards.
        static func moveOn(_ session: OpenSession, database: DatabaseOptions) async throws -> LocalSession {
            let service = LabService(backend: try await session.backend(), store: session.store, catalogue: database.opener)
            let display = ProgressDisplay(mode: ProgressDisplay.mode(json: false, quiet: false))
            let (record, workshop) = (session.record, session.workshop)
            return try await backendCall { try await service.next(record, workshop: workshop, events: display.handle) }
        }
    }
}
