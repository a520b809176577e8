import Foundation

/// `nalabo-init`, the PID 1 of learner containers on Docker (see Sources/nalabo-init): it ends the container at
/// the session's expiry, and nothing inside the container can stop it.
public enum InitProgram {
    /// Where it is placed in each container.
    public static let path = "/.nalabo-init"

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

    /// The file to place in a container.
    static func file(_ contents: [UInt8]) -> ContainerFile {
        ContainerFile(path: path, mode: 0o555, contents: contents)
    }
}
