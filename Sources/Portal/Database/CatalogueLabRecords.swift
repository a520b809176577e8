import Catalogue
import Foundation
import Runtime

/// The portal's lab records, kept in the catalogue (`nalabo.lab_records`) so that every portal process on it
/// serves every lab, and a restarted one carries on. Each call borrows one of the pool's connections and runs as
/// `nalabo_authenticator` on the pool's blocking threads (never on a cooperative thread, and never queued behind
/// another lab's call); ``update(_:_:)`` holds the row's lock while it changes the record, so updates of one lab
/// from every process queue.
struct CatalogueLabRecords: SessionRecords {
    let pool: ConnectionPool
    /// Set for the store that starts reserved labs: records it creates are reserves of this event and version.
    var reserve: ReservePlacement?

    init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// A store whose new records are reserves of `placement`.
    func reserving(_ placement: ReservePlacement) -> CatalogueLabRecords {
        var store = self
        store.reserve = placement
        return store
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` as the authenticator on a borrowed connection, on the pool's threads.
    func withCatalogue<T: Sendable>(_ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        try await pool.withCatalogue(as: Catalogue.authenticatorRole, body)
    }

    func all() async -> (sessions: [LocalSession], problems: [String]) {
        do {
            let rows = try await withCatalogue { try $0.labRecords() }
            var sessions: [LocalSession] = []
            var problems: [String] = []
            for row in rows {
                do { sessions.append(try SessionStore.decode(Data(row.json.utf8))) } catch { problems.append("\(location(of: row.id)): \(error)") }
            }
            return (sessions, problems)
        } catch {
            return ([], ["the catalogue's lab records cannot be read: \(error)"])
        }
    }

    func load(_ id: String) async throws -> LocalSession? {
        guard let row = try await withCatalogue({ try $0.labRecord(id) }) else { return nil }
        return try decode(row)
    }

    /// The record serving a catalogue session.
    func record(catalogueSession: String) async throws -> LocalSession? {
        guard let row = try await withCatalogue({ try $0.labRecord(session: catalogueSession) }) else { return nil }
        return try decode(row)
    }

    func bundle(_ id: String) async throws -> String {
        guard let bundle = try await withCatalogue({ try $0.labBundle(id) }) else {
            throw Failure(description: "the workshop of lab \(id) is not in the catalogue any more; end the session and start again")
        }
        return bundle
    }

    func create(_ record: LocalSession, bundle: String) async throws {
        let json = String(decoding: try SessionStore.encode(record), as: UTF8.self)
        let reserve = reserve
        try await withCatalogue {
            try $0.insertLabRecord(id: record.id, session: record.catalogueSession, json: json, bundle: bundle, reserve: reserve)
        }
    }

    func save(_ record: LocalSession) async throws {
        let json = String(decoding: try SessionStore.encode(record), as: UTF8.self)
        guard try await withCatalogue({ try $0.saveLabRecord(id: record.id, session: record.catalogueSession, json: json) }) else {
            throw Failure(description: "lab \(record.id) has no record any more")
        }
    }

    @discardableResult
    func update(_ id: String, _ change: @escaping @Sendable (inout LocalSession) throws -> Void) async throws -> LocalSession {
        let updated = try await withCatalogue { catalogue -> LocalSession? in
            var updated: LocalSession?
            let written = try catalogue.updateLabRecord(id: id) { json in
                var record = try SessionStore.decode(Data(json.utf8))
                try change(&record)
                updated = record
                return (String(decoding: try SessionStore.encode(record), as: UTF8.self), record.catalogueSession)
            }
            return written == nil ? nil : updated
        }
        guard let updated else { throw Failure(description: "lab \(id) has no record any more") }
        return updated
    }

    func remove(_ id: String) async throws {
        try await withCatalogue { try $0.deleteLabRecord(id) }
    }

    func location(of id: String) -> String { "catalogue lab record \(id)" }

    private func decode(_ row: LabRecordRow) throws -> LocalSession {
        do {
            return try SessionStore.decode(Data(row.json.utf8))
        } catch {
            throw Failure(description: "\(location(of: row.id)) is unreadable (\(error)); end the session from the portal or remove the row")
        }
    }
}
