import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Shell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open an interactive shell in a session's container (the first one by default).",
            discussion: """
                Hands the terminal over to `docker exec -it`, pointed at the session's engine, when the docker CLI is \
                installed; otherwise (or with --native) nalabo runs the terminal connection itself. The shell's exit \
                status is nalabo's.
                """)

        @Argument(help: "The container's name in the workshop.") var container: String?
        @Flag(help: "Run the terminal connection in nalabo even when the docker CLI is installed.") var native = false
        @OptionGroup var selection: SessionOptions

        func run() async throws {
            let session = try selection.open()
            let (record, workshop) = (session.record, session.workshop)
            guard let chosen = container.map({ workshop.container($0) }) ?? workshop.environment.containers.first else {
                throw CommandFailure("this workshop has no container \(container ?? ""); its containers: \(workshop.environment.containers.map(\.name).joined(separator: ", "))",
                                     status: ExitStatus.notFound).exit()
            }
            guard let info = record.container(chosen.name) else {
                throw CommandFailure("session \(record.id) has no container \(chosen.name)", status: ExitStatus.notFound).exit()
            }
            if record.isExpired() {
                Terminal.standardError.write("note: session \(record.id) has expired; grading is closed\n")
            }
            guard !native, let docker = Self.findExecutable("docker") else {
                let engine = try await connectEngine(endpoint: record.endpoint, apiVersion: record.apiVersion)
                let exec = try await engineCall {
                    try await engine.startInteractive(container: info.engineName, command: [chosen.shell], user: chosen.user,
                                                      workdir: chosen.workdir, env: ["TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "xterm")"],
                                                      tty: isatty(STDIN_FILENO) == 1)
                }
                let status = try await engineCall { try await TerminalBridge.run(exec, engine: engine) }
                throw ExitCode(Int32(truncatingIfNeeded: status))
            }
            var arguments = ["docker", "exec", isatty(STDIN_FILENO) == 1 ? "-it" : "-i"]
            if let user = chosen.user { arguments += ["-u", user] }
            if let workdir = chosen.workdir { arguments += ["-w", workdir] }
            arguments += [info.engineName, chosen.shell]
            setenv("DOCKER_HOST", record.endpoint, 1)
            let cArguments = arguments.map { strdup($0) } + [nil]
            execv(docker, cArguments)
            throw CommandFailure("cannot run \(docker): \(String(cString: strerror(errno)))").exit()
        }

        static func findExecutable(_ name: String) -> String? {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            for directory in path.split(separator: ":") {
                let candidate = "\(directory)/\(name)"
                if access(candidate, X_OK) == 0 { return candidate }
            }
            return nil
        }
    }
}
