import Foundation
import Testing
@_exported import Catalogue
@_exported import TestSupport
import WorkshopSpec

/// A fresh catalogue database on the throwaway cluster that scripts/test starts (PGHOST, PGPORT, PGUSER
/// name its superuser). Each instance has its own database, owner and login roles, so suites run in
/// parallel without seeing each other.
public final class TestCatalogue {
    public static let environment = ProcessInfo.processInfo.environment

    /// libpq's connection string for a role and database on the test cluster.
    public static func url(user: String, database: String) -> String {
        var parts = ["dbname=\(database)", "user=\(user)"]
        if let host = environment["PGHOST"] { parts.append("host=\(host)") }
        if let port = environment["PGPORT"] { parts.append("port=\(port)") }
        return parts.joined(separator: " ")
    }

    public let suffix = String(UUID().uuidString.prefix(8)).lowercased()
    public let database: String
    public let owner: String
    private let superuser: Connection

    public init() throws {
        guard Self.environment["PGHOST"] != nil else {
            throw Failure("no test cluster: run the tests with scripts/test, which starts one (PGHOST is not set)")
        }
        superuser = try Connection(ConnectionSettings(url: Self.url(user: Self.environment["PGUSER"] ?? "postgres", database: "postgres")))
        database = "nalabo_test_\(suffix)"
        owner = "owner_\(suffix)"
        // Identifiers cannot be parameters; these are generated here, never from input.
        try superuser.execute("CREATE ROLE \(owner) LOGIN CREATEROLE")
        try superuser.execute("CREATE DATABASE \(database) OWNER \(owner)")
        let migrated = try Self.firstMigration.migrate { try Migrator(self.ownerConnection()).run() }
        #expect(migrated.applied == Migration.all.map(\.version))
    }

    /// The first catalogue migrated on a fresh cluster creates the cluster-wide roles (`nalabo_user`,
    /// `nalabo_authenticator`...); suites start side by side, so that first migration runs alone, and the rest,
    /// which find the roles made, run side by side as before.
    private static let firstMigration = FirstMigration()

    private final class FirstMigration: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false

        func migrate(_ body: () throws -> Migrator.Outcome) throws -> Migrator.Outcome {
            if lock.withLock({ done }) { return try body() }
            lock.lock()
            defer { lock.unlock() }
            let outcome = try body()
            done = true
            return outcome
        }
    }

    deinit {
        _ = try? superuser.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database])
        _ = try? superuser.execute("DROP DATABASE IF EXISTS \(database)")
        for role in createdRoles + [owner] {
            _ = try? superuser.execute("DROP ROLE IF EXISTS \(role)")
        }
    }

    private var createdRoles: [String] = []

    public func ownerConnection() throws -> Connection {
        try Connection(ConnectionSettings(url: Self.url(user: owner, database: database)))
    }

    /// The owner's view of the catalogue (it administers it).
    public func asOwner() throws -> Catalogue {
        Catalogue(connection: try ownerConnection())
    }

    /// Creates a login role (as the DBA would) and, unless `register` is false, maps it to a nalabo user.
    @discardableResult
    public func user(_ handle: String, role: UserRole = .user, plan: String = "free", register: Bool = true) throws -> String {
        let databaseRole = "\(handle)_\(suffix)"
        try superuser.execute("CREATE ROLE \(databaseRole) LOGIN")
        createdRoles.append(databaseRole)
        if register {
            try asOwner().addUser(handle: handle, databaseRole: databaseRole, role: role, plan: plan)
        }
        return databaseRole
    }

    /// The catalogue as a user's login role sees it.
    public func `as`(_ handle: String) throws -> Catalogue {
        try Catalogue(ConnectionSettings(url: Self.url(user: "\(handle)_\(suffix)", database: database)))
    }

    /// A superuser connection to this database, for auditing the catalog and terminating backends.
    public func superuserConnection() throws -> Connection {
        try Connection(ConnectionSettings(url: Self.url(user: Self.environment["PGUSER"] ?? "postgres", database: database)))
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

/// A valid workshop with a given slug, version and title, loaded through WorkshopSpec like a real spec (without
/// a plan: `environment` and `limits`, YAML at column 0, may exceed any plan, as a client that skips validation would).
public func workshop(_ slug: String, version: String = "1.0.0", title: String = "A workshop", tags: [String] = ["linux"],
              extraChallenge: Bool = false, environment: String? = nil, limits: String = "") throws -> Workshop {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nalabo-catalogue-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("steps"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let titleJSON = JSONValue.string(title).compact  // a JSON string is a valid YAML double-quoted scalar
    let defaultEnvironment = "environment:\n  containers:\n    - name: box\n      image: debian:bookworm-slim"
    var spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata:
          slug: \(slug)
          title: \(titleJSON)
          version: \(version)
          summary: Practice for \(slug).
          tags: [\(tags.joined(separator: ", "))]
        \(environment ?? defaultEnvironment)
        \(limits)
        steps:
          - id: first
            title: First
            content_file: steps/first.md
            challenges:
              - id: make-dir
                title: Make a directory
                checks:
                  - run: test -d /root/projects
                    container: box
                    points: 2
                solve: {run: mkdir -p /root/projects, container: box}

        """
    if extraChallenge {
        spec += """
                  - id: touch-file
                    title: Touch a file
                    checks: [{run: test -f /root/file, container: box}]
                    solve: {run: touch /root/file, container: box}

            """
    }
    try Data(spec.utf8).write(to: directory.appendingPathComponent("workshop.yaml"))
    try Data("# First\n\nMake a directory.\n".utf8).write(to: directory.appendingPathComponent("steps/first.md"))
    let loaded = SpecLoader(plan: nil).load(path: directory.appendingPathComponent("workshop.yaml").path)
    guard let workshop = loaded.workshop else {
        throw TestCatalogue.Failure("test workshop did not validate: \(loaded.diagnostics.map(\.message))")
    }
    return workshop
}

/// Expects PostgreSQL to refuse a statement as not permitted (SQLSTATE 42501).
public func expectRefused(_ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("the statement was allowed", sourceLocation: sourceLocation)
    } catch let error as PostgresError {
        #expect(error.sqlState == "42501", "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}
