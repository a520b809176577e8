import Catalogue
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Connections to the catalogue as the portal's login role, reused across requests. A libpq connection is
/// blocking and not thread-safe, so each is lent to one request at a time and its statements run on NIO's
/// blocking thread pool, never on an event loop.
final class ConnectionPool: Sendable {
    private let settings: ConnectionSettings
    private let idle = NIOLockedValueBox<[UncheckedBox<Connection>]>([])
    private let most: Int
    let threads: NIOThreadPool

    /// The threads the blocking libpq calls run on: as many as the connections kept, so that requests wait on
    /// the database side by side (NIO's shared pool has one thread per core, fewer than the requests in flight).
    static let databaseThreads: NIOThreadPool = {
        let threads = NIOThreadPool(numberOfThreads: 8)
        threads.start()
        return threads
    }()

    init(settings: ConnectionSettings, idleConnections: Int = 8, threads: NIOThreadPool = ConnectionPool.databaseThreads) {
        self.settings = settings
        self.most = idleConnections
        self.threads = threads
    }

    /// Runs `body` with a catalogue acting as `role` (each statement its own transaction after SET LOCAL
    /// ROLE), on the blocking pool. A connection that failed is closed, not returned to the pool.
    func withCatalogue<T: Sendable>(as role: String, _ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        let connection = try await borrow()
        let catalogue = UncheckedBox(Catalogue(connection: connection.value, actingAs: role))
        do {
            let value = try await threads.runIfActive { try body(catalogue.value) }
            giveBack(connection.value)
            return value
        } catch {
            // Any failure but a lost connection leaves the connection usable (each transaction rolled back).
            if case CatalogueError.unreachable = error {} else { giveBack(connection.value) }
            throw error
        }
    }

    /// A connection for work that must hold it across awaits (a lab session's grading): the caller gives it
    /// back with ``giveBack(_:)``.
    func borrow() async throws -> UncheckedBox<Connection> {
        if let connection = idle.withLockedValue({ $0.popLast() }) { return connection }
        let settings = settings
        return try await threads.runIfActive {
            do {
                return UncheckedBox(try Connection(settings))
            } catch let failure as ConnectionFailure {
                throw CatalogueError.unreachable("the portal cannot reach its catalogue: \(failure.description)")
            }
        }
    }

    func giveBack(_ connection: Connection) {
        let box = UncheckedBox(connection)
        idle.withLockedValue { idle in
            if idle.count < most { idle.append(box) }
        }
    }
}

/// A value handed between tasks by the pool, which makes sure only one task uses it at a time.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
