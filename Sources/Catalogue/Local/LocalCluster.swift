import Foundation
import Subprocess

/// A private PostgreSQL cluster under the XDG data directory, for trying the catalogue without a server:
/// `initdb` and `pg_ctl` run it on a Unix socket only, the catalogue is migrated, and the current OS user
/// becomes its first super_admin, connecting as a role of its own (not the cluster's superuser, which would
/// bypass row-level security).
public struct LocalCluster: Sendable {
    public enum Problem: Error, Sendable, CustomStringConvertible {
        case postgresMissing
        case runningAsRoot
        case command(String, output: String)

        public var description: String {
            switch self {
            case .postgresMissing:
                "initdb and pg_ctl were not found; install PostgreSQL (Debian: apt-get install postgresql) or point PATH at its bin directory"
            case .runningAsRoot:
                "PostgreSQL refuses to run as root; run `nalabo catalogue local start` as your own user"
            case .command(let command, let output):
                "\(command) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
        }
    }

    /// The cluster's directory: `$XDG_DATA_HOME/nalabo/postgres` (default `~/.local/share/nalabo/postgres`).
    public let directory: String
    public let port: Int
    /// The OS user, who becomes the catalogue's first super_admin.
    public let user: String
    /// The cluster's superuser, which owns and migrates the catalogue.
    public static let administrator = "nalabo_admin"
    public static let database = "nalabo"

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
        directory = data + "/nalabo/postgres"
        port = Int(environment["NALABO_LOCAL_PGPORT"] ?? "") ?? 54320
        let name = environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        user = name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// The URL the user exports to use the catalogue.
    public var url: String { "postgresql:///\(Self.database)?host=\(directory)&port=\(port)&user=\(user)" }

    var administratorURL: String { "postgresql:///\(Self.database)?host=\(directory)&port=\(port)&user=\(Self.administrator)" }

    /// Creates the cluster when missing, starts it, migrates the catalogue and maps the OS user to a
    /// super_admin. Safe to run again.
    public func start() async throws {
        guard getuid() != 0 else { throw Problem.runningAsRoot }
        let bin = try Self.binaries()
        if !FileManager.default.fileExists(atPath: directory + "/data/PG_VERSION") {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try await run(bin + "/initdb", ["-D", directory + "/data", "-U", Self.administrator, "--auth=trust", "--encoding=UTF8"])
        }
        if !(await isRunning(bin)) {
            try await run(bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start",
                                      "-o", "-c listen_addresses='' -c unix_socket_directories='\(directory)' -p \(port)"])
        }
        let admin = try Connection(ConnectionSettings(url: "postgresql:///postgres?host=\(directory)&port=\(port)&user=\(Self.administrator)"))
        if try admin.execute("SELECT 1 FROM pg_database WHERE datname = $1", [Self.database]).rows.isEmpty {
            try admin.execute("CREATE DATABASE \(Self.database)")
        }
        if try admin.execute("SELECT 1 FROM pg_roles WHERE rolname = $1", [user]).rows.isEmpty {
            // The role name is quoted by the server (format's %I), since identifiers cannot be parameters.
            if let statement = try admin.execute("SELECT format('CREATE ROLE %I LOGIN', $1::text)", [user]).scalar {
                try admin.execute(statement)
            }
        }
        let owner = try Connection(ConnectionSettings(url: administratorURL))
        _ = try Migrator(owner).run()
        let catalogue = Catalogue(connection: owner)
        if try owner.execute("SELECT 1 FROM nalabo.users WHERE db_role = $1", [user]).rows.isEmpty {
            try catalogue.addUser(handle: handleFromUser, databaseRole: user, role: .superAdmin, plan: "team")
        }
    }

    public func stop() async throws {
        let bin = try Self.binaries()
        guard await isRunning(bin) else { return }
        try await run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "stop"])
    }

    /// Whether the cluster exists and runs.
    public func status() async throws -> (exists: Bool, running: Bool) {
        let bin = try Self.binaries()
        return (FileManager.default.fileExists(atPath: directory + "/data/PG_VERSION"), await isRunning(bin))
    }

    private var handleFromUser: String {
        let handle = user.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return handle.isEmpty ? "me" : handle
    }

    private func isRunning(_ bin: String) async -> Bool {
        (try? await run(bin + "/pg_ctl", ["-D", directory + "/data", "status"])) != nil
    }

    /// initdb and pg_ctl from PATH, or from Debian's versioned directories.
    static func binaries() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versioned = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in path + versioned
        where FileManager.default.isExecutableFile(atPath: directory + "/initdb") && FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl") {
            return directory
        }
        throw Problem.postgresMissing
    }

    /// Runs a PostgreSQL tool with swift-subprocess, its output and errors together; the child gets default
    /// signal handling and an empty signal mask (the server pg_ctl starts outlives nalabo, which ignores
    /// SIGPIPE), and the server keeps no pipe of ours open (pg_ctl sends its output to the log file).
    @discardableResult
    private func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let text: String
        let status: TerminationStatus
        do {
            let result = try await Subprocess.run(.path(.init(executable)), arguments: Arguments(arguments), input: .none,
                                                  output: .string(limit: 1 << 20), error: .combinedWithOutput)
            text = result.standardOutput
            status = result.terminationStatus
        } catch {
            throw Problem.command(name, output: "\(error)")
        }
        guard case .exited(0) = status else { throw Problem.command(name, output: text) }
        return text
    }
}
