import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Shell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shell",
            abstract: "Open an interactive shell in a session's container (the first one by default).",
            discussion: """
                nalabo runs the terminal connection itself, through the session's backend, with a terminal when \
                standard input is one (resized with the window) and plain pipes otherwise. The shell's exit status is \
                nalabo's.
                """)

        @Argument(help: "The container's name in the workshop.") var container: String?
        @Flag(help: .hidden) var native = false
        @OptionGroup var selection: SessionOptions

        func run() async throws {
            let session = try selection.open()
            let (record, workshop) = (session.record, session.workshop)
            guard let chosen = container.map({ workshop.container($0) }) ?? workshop.environment.containers.first else {
                throw CommandFailure("this workshop has no container \(container ?? ""); its containers: \(workshop.environment.containers.map(\.name).joined(separator: ", "))",
                                     status: ExitStatus.notFound).exit()
            }
            let handle = try session.handle(for: chosen.name)
            if record.isExpired() {
                Terminal.standardError.write("note: session \(record.id) has expired; grading is closed\n")
            }
            let backend = try await session.backend()
            let interactive = isatty(STDIN_FILENO) == 1
            // The session's ports stay reachable while the shell runs (forwarded, on Kubernetes).
            let status = try await backendCall {
                try await backend.withPublishedPorts(handle) { ports in
                    if interactive && handle.ports != ports {
                        for (member, list) in ports.sorted(by: { $0.key < $1.key }) {
                            for port in list { Terminal.standardError.write("port \(port.port) of \(member) → \(port.url) (while this shell runs)\n") }
                        }
                    }
                    return try await TerminalBridge.attach(backend, member: chosen.name, command: [chosen.shell], in: handle)
                }
            }
            throw ExitCode(Int32(truncatingIfNeeded: status))
        }
    }
}
