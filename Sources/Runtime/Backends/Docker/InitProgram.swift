import Foundation
import WorkshopSpec

/// `nalabo-init`, the PID 1 of learner containers on Docker (see Sources/nalabo-init): it ends the container at
/// the session's expiry, and nothing inside the container can stop it.
public enum InitProgram {
    /// Where learner containers mount nalabo-init's volume, read-only, and the program in it.
    public static let mountPoint = "/.nalabo"
    public static let path = mountPoint + "/nalabo-init"

    /// The program's bytes, from `NALABO_INIT` or next to the running executable; or why it is not there.
    public static let contents: Result<[UInt8], Missing> = load(environment: ProcessInfo.processInfo.environment)

    public struct Missing: Error, Sendable, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "nalabo-init is not installed next to nalabo (looked for \(searched.joined(separator: ", "))); "
                + "install both programs side by side (swift build builds both), or set NALABO_INIT"
        }
    }

    static func load(environment: [String: String]) -> Result<[UInt8], Missing> {
        var candidates: [String] = []
        if let explicit = environment["NALABO_INIT"], !explicit.isEmpty { candidates.append(explicit) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("nalabo-init").path)
        for candidate in candidates {
            // Bounded: the program is under a megabyte; anything far larger is not it.
            if let handle = FileHandle(forReadingAtPath: candidate),
               let data = try? handle.read(upToCount: 16 << 20), data.count > 4, Array(data.prefix(4)) == [0x7F, 0x45, 0x4C, 0x46] {
                try? handle.close()
                return .success(Array(data))
            }
        }
        return .failure(Missing(searched: candidates))
    }

    /// The marker volume of this version of the program, named by its digest.
    static func volumeName(_ contents: [UInt8]) -> String {
        "nalabo-init-" + SHA256.hex(contents).prefix(16)
    }

    /// Makes sure the engine has a volume holding the program, complete, and returns its name. Without locks:
    /// each filler writes a volume of its own (through a container that is created and never started, since
    /// the Engine API writes into volumes only through one), then creates the marker volume naming it in a
    /// label. The first marker wins, and every `up` uses the volume it names; a volume that lost is removed.
    /// A filler that dies halfway leaves no marker, so nobody uses what it wrote.
    static func ensureVolume(_ contents: [UInt8], on engine: any ContainerEngine, image: String) async throws -> String {
        let marker = volumeName(contents)
        if let filled = try await engine.volumeLabels(marker)?[DockerLayout.Label.initVolume] { return filled }
        let own = marker + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let labels = [DockerLayout.Label.role: "init"]
        try await engine.createVolume(own, labels: labels)
        let filler = try await engine.createContainer(ContainerSpec(
            name: own + "-fill", image: image, hostname: "fill", command: [path], user: nil, workdir: nil,
            env: [], labels: labels, network: "none", aliases: [], ports: [],
            limits: ContainerLimits(memoryBytes: 32 << 20, nanoCPUs: 100_000_000, pids: 8), capabilities: [],
            readOnlyRootFilesystem: true, volumes: [VolumeMount(volume: own, target: mountPoint, readOnly: false)]))
        do {
            try await engine.copyFiles([ContainerFile(path: "nalabo-init", mode: 0o555, contents: contents)], into: filler, at: mountPoint)
            try await engine.removeContainer(filler)
        } catch {
            try? await engine.removeContainer(filler)
            try? await engine.removeVolume(own)
            throw error
        }
        try await engine.createVolume(marker, labels: labels.merging([DockerLayout.Label.initVolume: own]) { $1 })
        guard let winner = try await engine.volumeLabels(marker)?[DockerLayout.Label.initVolume] else {
            throw EngineError.protocolViolation("the volume \(marker) has no \(DockerLayout.Label.initVolume) label; remove it (docker volume rm \(marker))")
        }
        if winner != own { try? await engine.removeVolume(own) }
        return winner
    }
}
