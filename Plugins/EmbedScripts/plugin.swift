import Foundation
import PackagePlugin

/// Embeds a target's `Scripts/*.sh` (shell that runs inside containers, linted with shellcheck) into the
/// target at build time as `EmbeddedScripts`, one static string per file (`run.sh` → `run`,
/// `port-gateway.sh` → `portGateway`).
@main
struct EmbedScripts: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = target.directoryURL.appending(path: "Scripts")
        let scripts = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sh" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedScripts.swift")
        return [.buildCommand(
            displayName: "Embedding \(scripts.count) shell scripts into \(target.name)",
            executable: try context.tool(named: "embed-scripts").url,
            arguments: [output.path] + scripts.map(\.path),
            inputFiles: scripts,
            outputFiles: [output])]
    }
}
