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

    /// Runs nalabo and waits for it without holding a thread of the concurrency pool (tests run in parallel
    /// on a pool as wide as the machine has cores; a blocking wait there stalls every other test's timers).
    public static func execute(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) async throws -> CommandResult {
        try await start(arguments, in: directory, environment: environment).finished()
    }

    /// Runs a program and waits for it, as ``execute(_:in:environment:)`` does.
    public static func executeProcess(_ path: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) async throws -> CommandResult {
        try await RunningCommand(path, arguments, in: directory, environment: environment).finished()
    }

    /// Starts a program without waiting for it.
    public static func startProcess(_ path: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> RunningCommand {
        try RunningCommand(path, arguments, in: directory, environment: environment)
    }

    /// Starts nalabo without waiting for it.
    public static func start(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> RunningCommand {
        try RunningCommand(executable, arguments, in: directory, environment: environment)
    }

    /// Runs nalabo on a pseudo-terminal through util-linux's `script`, as a person at a terminal would.
    public static func runOnTerminal(_ arguments: [String], in directory: String, environment: [String: String] = [:]) async throws -> CommandResult {
        let command = ([executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
        var result = try await executeProcess("/usr/bin/script", ["-qec", command, "/dev/null"], in: directory, environment: environment)
        result.stdout = result.stdout.replacing("\r\n", with: "\n")
        return result
    }

    /// ``runOnTerminal(_:in:environment:)-async`` for synchronous tests.
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
///
/// Spawned with posix_spawn and reaped with waitpid: Foundation's Process on Linux treats a command as running
/// while any descendant holds its inherited descriptors, which a daemon it starts (pg_ctl's server) always does.
/// Not swift-subprocess, which nalabo itself uses: its API is async only, and the many synchronous tests that
/// wait for a command would have to block a cooperative thread on a semaphore until an async task (which needs
/// those same threads) finishes — a deadlock once every such thread waits. waitpid blocks without needing one.
public final class RunningCommand: @unchecked Sendable {
    private var pid = pid_t()
    private var finished = false
    private let scratch: URL

    init(_ path: String, _ arguments: [String], in directory: String?, environment: [String: String]) throws {
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = nil
        merged["TERM"] = "xterm-256color"
        merged.merge(environment) { _, new in new }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nalabo-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch.appendingPathComponent("out").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, scratch.appendingPathComponent("err").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Swift's Glibc module does not export posix_spawn_file_actions_addchdir_np; a shell changes directory.
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, path] + arguments } ?? [path] + arguments
        let argv = command.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // A clean signal state: threads of the test runner block or ignore some signals, and a child inherits
        // both (a registry that cannot be stopped with SIGTERM, a command deaf to SIGINT).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let status = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(status), userInfo: [NSLocalizedDescriptionKey: "cannot run \(path)"])
        }
    }

    deinit {
        if !finished {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Waits for the command on a thread of its own and collects its output.
    public func finished() async throws -> CommandResult {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CommandResult, Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.finish() })
            }
        }
    }

    /// Sends a signal to the command, as a terminal's Ctrl-C (SIGINT) would.
    public func signal(_ number: Int32) {
        if !finished { kill(pid, number) }
    }

    public func finish() throws -> CommandResult {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        finished = true
        // The exit code, or 128 + the signal that ended it, as a shell reports it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandResult(
            status: code,
            stdout: String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("out"))) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("err"))) ?? Data(), as: UTF8.self))
    }
}
