/// The PostgreSQL catalogue, seen by one PostgreSQL role. Every query runs as that role, so what it may read
/// and write is decided by the database's row-level security, not by this code.
public final class Catalogue {
    public let connection: Connection

    /// Connects, or throws ``CatalogueError/unreachable(_:)`` naming the endpoint and how to start a server.
    public init(_ settings: ConnectionSettings) throws {
        do {
            connection = try Connection(settings)
        } catch let failure as ConnectionFailure {
            throw CatalogueError.unreachable(
                "\(failure.description). Start PostgreSQL there, point --database-url or NALABO_DATABASE_URL (or PGHOST, PGPORT, PGDATABASE) at a running one, or try `nalabo catalogue local start`")
        }
    }

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Whether a transaction is open: its serialization failures and deadlocks must reach
    /// ``Connection/transaction(attempts:_:)`` untranslated, so that it can retry the whole transaction.
    private var inTransaction = false

    /// Runs a statement, translating PostgreSQL's errors into ``CatalogueError``.
    @discardableResult
    func run(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
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
            return try connection.transaction { _ in try body(self) }
        } catch let error as PostgresError {
            throw CatalogueError.from(error)
        }
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
