import ArgumentParser
import Foundation
import Runtime

extension Nalabo {
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove expired and orphaned sessions, found by their labels on the engine (safe from cron).",
            discussion: "Orphaned: engine objects whose state file is gone (a crashed `up`, a daemon restart). Stale: local records with nothing left on the engine.")

        @Flag(help: "Only show what would be removed.") var dryRun = false
        @Option(help: "Only the sessions of this workshop (a slug).") var workshop: String?
        @Option(help: "Output format: text or json.") var format: TableFormat = .text

        @OptionGroup(title: "Backend") var backendOptions: BackendOptions

        func run() async throws {
            let backend = try await backendOptions.connect()
            let pruner = SessionPruner(provisioner: SessionProvisioner(backend: backend, store: SessionStore.standard()))
            let pruned = try await backendCall { try await pruner.prune(dryRun: dryRun, workshop: workshop) }
            if format == .json {
                Terminal.standardOutput.write("[" + pruned.map { JSONLines.encode($0) }.joined(separator: ",") + "]\n")
            } else if pruned.isEmpty {
                Swift.print("nothing to prune")
            } else {
                for session in pruned {
                    Swift.print("\(dryRun ? "would remove" : "removed") \(session.reason.rawValue) session \(session.session): \(session.objects.joined(separator: ", "))")
                    for problem in session.problems { Terminal.standardError.write("  error: \(problem)\n") }
                }
            }
            if pruned.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(ExitStatus.couldNotRun) }
        }
    }
}
