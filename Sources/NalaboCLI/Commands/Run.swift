import ArgumentParser
import Foundation
import Markdown
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run one of the current step's runnable code blocks in its container, as if typed there.",
            discussion: """
                `nalabo instructions` labels each runnable block (a fenced block marked `run` in the workshop's \
                Markdown) with its number: N counts them through the step and its challenges. The block runs in \
                the container's shell as the learner's user, with a terminal when standard input is one; its exit \
                status is nalabo's. Running a block grades nothing: `nalabo check` does.
                """)

        @Argument(help: "The block's number in the current step, from 1.") var number: Int
        @Option(help: "The step (number from 1, or id); default the current one.") var step: String?
        @Flag(help: "Print the block's commands instead of running them.") var print = false
        @OptionGroup var selection: SessionOptions

        func run() async throws {
            let session = try selection.open()
            let (record, workshop) = (session.record, session.workshop)
            let index = try step.map { try Instructions.stepIndex($0, in: workshop) } ?? SessionLifecycle.currentStep(record, workshop: workshop)
            let blocks = SessionText.runnableBlocks(of: workshop.steps[index])
            guard blocks.indices.contains(number - 1) else {
                let which = "step \(index + 1) (\(workshop.steps[index].title))"
                throw CommandFailure(blocks.isEmpty ? "\(which) has no runnable block"
                                         : "\(which) has \(blocks.count) runnable block\(blocks.count == 1 ? "" : "s"): choose 1 to \(blocks.count) (`nalabo instructions` numbers them)",
                                     status: ExitStatus.notFound).exit()
            }
            let block = blocks[number - 1]
            if print {
                Terminal.standardOutput.write(block.code)
                return
            }
            guard let container = block.container.map({ workshop.container($0) }) ?? workshop.environment.containers.first else {
                throw CommandFailure("block \(number) runs in container \(block.container ?? ""), which this workshop does not have; its containers: \(workshop.environment.containers.map(\.name).joined(separator: ", "))",
                                     status: ExitStatus.notFound).exit()
            }
            let handle = try session.handle(for: container.name)
            // The commands as the learner would have typed them, then their output.
            for line in block.code.split(separator: "\n", omittingEmptySubsequences: false).dropLast(block.code.hasSuffix("\n") ? 1 : 0) {
                Terminal.standardError.write("\(container.name)$ \(String(line).terminalSafe())\n")
            }
            let backend = try await session.backend()
            let status = try await backendCall {
                try await TerminalBridge.attach(backend, member: container.name, command: [container.shell, "-c", block.code], in: handle)
            }
            throw ExitCode(Int32(truncatingIfNeeded: status))
        }
    }
}
