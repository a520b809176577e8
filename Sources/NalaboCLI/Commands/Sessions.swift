import ArgumentParser
import Foundation
import Runtime

extension Nalabo {
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List this user's sessions.")

        @Option(help: "Output format: text or json.") var format: TableFormat = .text

        func run() async throws {
            let (sessions, problems) = SessionStore.standard().all()
            for problem in problems { Terminal.standardError.write("warning: \(problem)\n") }
            if format == .json {
                Terminal.standardOutput.write("[" + sessions.map { JSONLines.encode($0) }.joined(separator: ",") + "]\n")
                return
            }
            guard !sessions.isEmpty else {
                Swift.print("no sessions; start one with `nalabo up PATH`")
                return
            }
            let now = Date()
            let rows = sessions.map { session -> [String] in
                let done = session.progress.values.filter(\.isComplete).count
                return [session.id, "\(session.workshop.slug)@\(session.workshop.version)",
                        session.isExpired(at: now) ? "expired" : session.status.rawValue,
                        "\(done) done", (session.isExpired(at: now) ? "expired " : "expires ") + SessionText.relative(session.expiresAt, now: now)]
            }
            Swift.print(table(["SESSION", "WORKSHOP", "STATUS", "CHALLENGES", "TIME"], rows))
        }
    }
}
