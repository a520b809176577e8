import Foundation
import Testing

/// Runs the built `nalabo` executable as a user would, capturing its output and exit status.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Nalabo {
    /// The executable beside the test bundle in the build products directory.
    public static let executable: String = {
        let products = Bundle.main.bundleURL.path.hasSuffix(".xctest")
            ? Bundle.main.bundleURL.deletingLastPathComponent().path
            : Bundle.main.bundleURL.path
        return products + "/nalabo"
    }()

    /// Runs nalabo with arguments in a directory; the environment is the test's, without colour
    /// settings, plus `environment`.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try runProcess(executable, arguments, in: directory, environment: environment)
    }

    public static func runProcess(_ path: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try RunningCommand(path, arguments, in: directory, environment: environment).finish()
    }

    /// Starts nalabo without waiting for it.
    public static func start(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> RunningCommand {
        try RunningCommand(executable, arguments, in: directory, environment: environment)
    }

    /// Runs nalabo on a pseudo-terminal through util-linux's `script`, as a person at a terminal would.
    public static func runOnTerminal(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> CommandResult {
        let command = ([executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
        var result = try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], in: directory, environment: environment)
        result.stdout = result.stdout.replacing("\r\n", with: "\n")
        return result
    }
}

/// The package's root directory, found from this file's path.
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

public let goldenDirectory = packageRoot + "/Tests/nalaboTests/Golden"

/// Compares output with a golden file; `NALABO_UPDATE_GOLDEN=1` rewrites the file instead.
public func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = goldenDirectory + "/" + name
    if ProcessInfo.processInfo.environment["NALABO_UPDATE_GOLDEN"] == "1" {
        try Data(actual.utf8).write(to: URL(fileURLWithPath: path))
        return
    }
    let expected = String(decoding: try #require(FileManager.default.contents(atPath: path), "missing golden file \(name)"), as: UTF8.self)
    #expect(actual == expected, "output differs from \(name); rerun with NALABO_UPDATE_GOLDEN=1 and review the diff", sourceLocation: sourceLocation)
}

/// A directory under the system's temporary directory, removed when the value is released.
public final class TemporaryDirectory {
    public let path: String

    public init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nalabo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file, creating its folders.
    public func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, bytes: Array(text.utf8))
    }

    public func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// A command that is running; ``finish()`` waits for it and collects its output.
public final class RunningCommand {
    private let process = Process()
    private let scratch: URL

    init(_ path: String, _ arguments: [String], in directory: String?, environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = nil
        merged["TERM"] = "xterm-256color"
        merged.merge(environment) { _, new in new }
        process.environment = merged
        // Files rather than pipes: neither stream can fill up and block the other.
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nalabo-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("err").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: scratch.appendingPathComponent("out"))
        process.standardError = try FileHandle(forWritingTo: scratch.appendingPathComponent("err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: scratch)
    }

    public func finish() throws -> CommandResult {
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: scratch.appendingPathComponent("out")), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: scratch.appendingPathComponent("err")), as: UTF8.self))
    }
}
