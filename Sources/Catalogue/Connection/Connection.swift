import CLibPQ

/// One connection to the catalogue through libpq. Every statement is sent as a prepared statement with its
/// values as parameters, never spliced into SQL; each distinct statement is prepared once per connection (its
/// plan is then reused — PostgreSQL plans again when the role changes and row-level security depends on it,
/// or when the schema changes).
///
/// Not thread-safe: use one connection per task.
public final class Connection {
    private let handle: OpaquePointer
    /// Statement text → its prepared name on this connection.
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    /// Statements are nalabo's own texts, so they are few; past this many, new ones are not kept.
    private static let mostPrepared = 512

    /// Connects, or throws ``ConnectionFailure`` naming where libpq tried; ``CatalogueError/unreachable(_:)`` when
    /// libpq itself cannot be loaded.
    public init(_ settings: ConnectionSettings) throws {
        try Self.loadLibPQ()
        let parameters = settings.parameters
        var keywords = parameters.map { strdup($0.0) }
        var values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        keywords.append(nil)
        values.append(nil)
        let connection = keywords.withUnsafeBufferPointer { keywordBuffer in
            values.withUnsafeBufferPointer { valueBuffer in
                keywordBuffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: keywordBuffer.count) { keys in
                    valueBuffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: valueBuffer.count) { vals in
                        PQconnectdbParams(keys, vals, 1)
                    }
                }
            }
        }
        guard let connection else {
            throw ConnectionFailure(endpoint: "the configured server", reason: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let failure = ConnectionFailure(endpoint: Self.endpoint(connection, settings), reason: Self.errorMessage(connection))
            PQfinish(connection)
            throw failure
        }
        handle = connection
    }

    deinit {
        PQfinish(handle)
    }

    /// Opens libpq on the first connection (nalabo does not link it, so that commands without a catalogue do not
    /// load it and its dependencies); a missing libpq is an unreachable catalogue, with how to install it.
    private static func loadLibPQ() throws {
        guard let problem = nalabo_libpq_load() else { return }
        throw CatalogueError.unreachable(
            "libpq could not be loaded (\(String(cString: problem))): the catalogue commands need PostgreSQL's client library, libpq 14 or newer; install it (Debian, Ubuntu: apt-get install libpq5; macOS: brew install libpq) or set NALABO_LIBPQ to its file")
    }

    /// Where the connection went, for messages: `host HOST port PORT database DB user USER`.
    public var endpoint: String {
        "host \(string(PQhost(handle)) ?? "?") port \(string(PQport(handle)) ?? "?") database \(string(PQdb(handle)) ?? "?")"
    }

    /// The PostgreSQL role nalabo is connected as.
    public var user: String { string(PQuser(handle)) ?? "" }

    /// Runs one statement with parameters (`$1`, `$2`, ...), returning its rows as text.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        do {
            return try run(sql, parameters)
        } catch let error as PostgresError where error.isStalePlan && prepared[sql] != nil {
            // The schema changed under a kept plan in a way PostgreSQL does not plan around (a migration altered a
            // result's columns): forget it and prepare the statement again.
            prepared[sql] = nil
            return try run(sql, parameters)
        }
    }

    private func run(_ sql: String, _ parameters: [String?]) throws -> QueryResult {
        let name = try statement(sql, parameters: parameters.count)
        var copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let result = copies.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { values in
                    name.map { PQexecPrepared(handle, $0, Int32(buffer.count), values, nil, nil, 0) }
                        ?? PQexecParams(handle, sql, Int32(buffer.count), nil, values, nil, nil, 0)
                }
            } ?? (name.map { PQexecPrepared(handle, $0, 0, nil, nil, nil, 0) } ?? PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0))
        }
        guard let result else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result)
        default:
            throw Self.error(from: result, connection: handle)
        }
    }

    /// The prepared statement's name for `sql`, preparing it first; nil when the cache is full (the statement
    /// is then sent unprepared).
    private func statement(_ sql: String, parameters: Int) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.mostPrepared else { return nil }
        preparedCount += 1
        let name = "nalabo_\(preparedCount)"
        guard let result = PQprepare(handle, name, sql, 0, nil) else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw Self.error(from: result, connection: handle) }
        prepared[sql] = name
        return name
    }

    /// A statement and its parameters, for ``pipelined(_:)``.
    public struct Statement {
        public var sql: String
        public var parameters: [String?]
        public init(_ sql: String, _ parameters: [String?] = []) {
            self.sql = sql
            self.parameters = parameters
        }
    }

    /// Runs `statements` as one transaction in one round trip (libpq's pipeline mode): they are sent together
    /// and followed by a single Sync, so the server runs them in one implicit transaction, committed at the Sync
    /// and rolled back entirely when one fails (the rest are then skipped). Returns each statement's result; the
    /// first failure is thrown. Serialization failures and deadlocks are retried as ``transaction(attempts:_:)``
    /// retries.
    public func pipelined(_ statements: [Statement], attempts: Int = 5) throws -> [QueryResult] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try sendPipeline(statements)
            } catch let error as PostgresError where error.isStalePlan && attempt == 1 {
                // As in execute(_:_:): a kept plan the schema changed under; prepare the statements again.
                for statement in statements { prepared[statement.sql] = nil }
            } catch let error as PostgresError where error.isTransient && attempt < attempts {
                Self.pauseBeforeRetry(attempt)
            }
        }
    }

    private func sendPipeline(_ statements: [Statement]) throws -> [QueryResult] {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        // What was queued, in order: a statement prepared here (inside the pipeline, so that it is parsed with the
        // role earlier statements set, as its privileges require), or a statement's execution.
        enum Queued { case prepare(sql: String, name: String), execute }
        var queued: [Queued] = []
        var preparing: [String: String] = [:]
        var sendFailure: PostgresError?
        func sent(_ result: Int32) -> Bool {
            if result != 1 { sendFailure = PostgresError(sqlState: "08006", message: Self.errorMessage(handle)) }
            return result == 1
        }
        for statement in statements {
            var name = prepared[statement.sql] ?? preparing[statement.sql]
            if name == nil, prepared.count + preparing.count < Self.mostPrepared {
                preparedCount += 1
                let fresh = "nalabo_\(preparedCount)"
                guard sent(PQsendPrepare(handle, fresh, statement.sql, 0, nil)) else { break }
                queued.append(.prepare(sql: statement.sql, name: fresh))
                preparing[statement.sql] = fresh
                name = fresh
            }
            var copies = statement.parameters.map { $0.map { strdup($0) } ?? nil }
            defer { copies.forEach { free($0) } }
            let result = copies.withUnsafeMutableBufferPointer { buffer -> Int32 in
                buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                    let count = Int32(values.count)
                    return name.map { PQsendQueryPrepared(handle, $0, count, values.baseAddress, nil, nil, 0) }
                        ?? PQsendQueryParams(handle, statement.sql, count, nil, values.baseAddress, nil, nil, 0)
                }
            }
            guard sent(result) else { break }
            queued.append(.execute)
        }
        // The Sync goes out even after a failed send, so that what was queued is answered and drained.
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        var results: [QueryResult] = []
        var failure: PostgresError?
        for item in queued {
            // Each queued call's results end with a null; an aborted pipeline answers the rest with PIPELINE_ABORTED.
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    switch item {
                    case .prepare(let sql, let name): prepared[sql] = name
                    case .execute: results.append(QueryResult(result))
                    }
                case PGRES_PIPELINE_ABORTED:
                    break
                default:
                    if failure == nil { failure = Self.error(from: result, connection: handle) }
                }
            }
        }
        // Then the Sync's own result.
        var synced = false
        while !synced, let result = PQgetResult(handle) {
            synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
        }
        guard synced, PQexitPipelineMode(handle) == 1 else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        if let failure = failure ?? sendFailure { throw failure }
        return results
    }

    /// Runs several statements that take no parameters, such as an embedded migration. Never pass it text
    /// that came from input: it has no parameters to keep values apart from SQL.
    func executeScript(_ sql: StaticScript) throws {
        guard let result = PQexec(handle, sql.text) else {
            throw PostgresError(sqlState: "08006", message: Self.errorMessage(handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw Self.error(from: result, connection: handle)
        }
    }

    /// Runs `body` in a transaction, committing when it returns and rolling back when it throws. The whole
    /// transaction is retried on serialization failures and deadlocks, with jittered backoff, a bounded
    /// number of times.
    ///
    /// `prelude` runs right after `BEGIN`, in the same round trip (such as `SET LOCAL ROLE`).
    public func transaction<T>(attempts: Int = 5, prelude: [Statement] = [], _ body: (Connection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            if prelude.isEmpty { try execute("BEGIN") }
            do {
                if !prelude.isEmpty { _ = try sendPipeline([Statement("BEGIN")] + prelude) }
                let value = try body(self)
                try execute("COMMIT")
                return value
            } catch let error as PostgresError where error.isTransient && attempt < attempts {
                _ = try? execute("ROLLBACK")
                Self.pauseBeforeRetry(attempt)
            } catch {
                _ = try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// 10 ms, 20 ms, 40 ms... after attempt 1, 2, 3..., each with up to as much again at random, so retries spread out.
    private static func pauseBeforeRetry(_ attempt: Int) {
        let base = 10_000 << (attempt - 1)
        usleep(useconds_t(base + Int.random(in: 0...base)))
    }

    private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        return PostgresError(
            // No SQLSTATE means the connection itself broke (a terminated backend, a lost network).
            sqlState: field("C") ?? "08006",
            message: field("M") ?? errorMessage(connection),
            detail: field("D"),
            hint: field("H"))
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        let text = string(PQerrorMessage(connection)) ?? "unknown error"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    private static func endpoint(_ connection: OpaquePointer, _ settings: ConnectionSettings) -> String {
        let host = string(PQhost(connection)).flatMap { $0.isEmpty ? nil : $0 } ?? "the default socket"
        return "host \(host) port \(string(PQport(connection)) ?? "5432")"
    }
}

private func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

#if canImport(Glibc)
import Glibc
#endif

/// SQL that is part of nalabo itself (a migration), never built from input.
struct StaticScript {
    let text: String
}
