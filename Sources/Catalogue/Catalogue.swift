/// The PostgreSQL catalogue, seen by one PostgreSQL role. Every query runs as that role, so what it may read
/// and write is decided by the database's row-level security, not by this code.
public final class Catalogue {
    public let connection: Connection

    /// Connects, or throws ``CatalogueError/unreachable(_:)`` naming the endpoint and how to start a server.
    public init(_ settings: ConnectionSettings) throws {
        do {
            connection = try Connection(settings)
        actingAs = nil
        } catch let failure as ConnectionFailure {
            throw CatalogueError.unreachable(
                "\(failure.description). Start PostgreSQL there, point --database-url or NALABO_DATABASE_URL (or PGHOST, PGPORT, PGDATABASE) at a running one, or try `nalabo catalogue local start`")
        }
    }

    public init(connection: Connection) {
        self.connection = connection
        self.actingAs = nil
    }

    /// The role every statement runs as, when the connection's login role acts for a user (the portal): each
    /// statement, or each ``inTransaction(_:)``, is its own transaction that starts with `SET LOCAL ROLE`,
    /// so row-level security sees that user and the role cannot outlive the transaction.
    public let actingAs: String?

    /// A catalogue on `connection` acting as `role` (which the login role must be a member of).
    public init(connection: Connection, actingAs role: String) {
        self.connection = connection
        self.actingAs = role
    }

    /// Whether a transaction is open: its serialization failures and deadlocks must reach
    /// ``Connection/transaction(attempts:_:)`` untranslated, so that it can retry the whole transaction.
    private var inTransaction = false

    /// Runs a statement, translating PostgreSQL's errors into ``CatalogueError``.
    @discardableResult
    func run(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        if let actingAs, !inTransaction {
            // SET LOCAL ROLE and the statement, one transaction in one round trip.
            do {
                let results = try connection.pipelined([Self.setRole(actingAs), Connection.Statement(sql, parameters)])
                guard let result = results.last, results.count == 2 else {
                    throw PostgresError(sqlState: "08006", message: "the catalogue's reply was cut short (\(results.count) of 2 results); try again")
                }
                return result
            } catch let error as PostgresError {
                throw CatalogueError.from(error)
            }
        }
        do {
            return try connection.execute(sql, parameters)
        } catch let error as PostgresError where !(inTransaction && error.isTransient) {
            throw CatalogueError.from(error)
        }
    }

    /// Runs `body` in one transaction, retried as a whole on serialization failures and deadlocks.
    func inTransaction<T>(_ body: (Catalogue) throws -> T) throws -> T {
        inTransaction = true
        defer { inTransaction = false }
        do {
            return try connection.transaction(prelude: actingAs.map { [Self.setRole($0)] } ?? []) { _ in try body(self) }
        } catch let error as PostgresError {
            throw CatalogueError.from(error)
        }
    }

    /// `SET LOCAL ROLE role`: set_config(..., true) takes the role as a parameter, and ends with the transaction.
    private static func setRole(_ role: String) -> Connection.Statement {
        Connection.Statement("SELECT pg_catalog.set_config('role', $1, true)", [role])
    }

    /// The nalabo user the connection's role is mapped to.
    public func whoami() throws -> CatalogueUser {
        let row: Row?
        do {
            row = try run("SELECT handle, db_role, role, plan, disabled FROM nalabo.users WHERE db_role = current_user").records.first
        } catch CatalogueError.notPermitted {
            // Without the nalabo_user grant even the schema is hidden: the role is simply not a user.
            throw CatalogueError.notAUser(role: connection.user)
        }
        guard let row, let user = CatalogueUser(row), !user.disabled else {
            throw CatalogueError.notAUser(role: connection.user)
        }
        return user
    }
}

extension CatalogueUser {
    init?(_ row: Row) {
        guard let handle = row["handle"], let databaseRole = row["db_role"], let role = row["role"].flatMap(UserRole.init),
              let plan = row["plan"] else { return nil }
        self.init(handle: handle, databaseRole: databaseRole, role: role, plan: plan, disabled: row.bool("disabled"))
    }
}
