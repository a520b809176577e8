import Catalogue
import Foundation
import NIOConcurrencyHelpers
import Runtime

/// The portal's lab records, kept in the catalogue (`nalabo.lab_records`) so that every portal process on it
/// serves every lab, and a restarted one carries on. Runs as `nalabo_authenticator` on a connection of its own,
/// one statement at a time; ``update(_:_:)`` holds the row's lock while it changes the record, so updates from
/// every process queue.
struct CatalogueLabRecords: SessionRecords {
    final class Link: Sendable {
        let settings: ConnectionSettings
        let connection = NIOLockedValueBox<UncheckedBox<Connection>?>(nil)
        init(settings: ConnectionSettings) { self.settings = settings }
    }

    let link: Link
    /// Set for the store that starts reserved labs: records it creates are reserves of this event and version.
    var reserve: ReservePlacement?

    init(settings: ConnectionSettings) {
        link = Link(settings: settings)
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

    /// Runs `body` on the store's connection as the authenticator, connecting (again) when needed.
    func withCatalogue<T>(_ body: (Catalogue) throws -> T) throws -> T {
        try link.connection.withLockedValue { box in
            if box == nil {
                do {
                    box = UncheckedBox(try Connection(link.settings))
                } catch let failure as ConnectionFailure {
                    throw CatalogueError.unreachable("the portal cannot reach its catalogue for lab records: \(failure.description)")
                }
            }
            guard let connection = box?.value else { throw Failure(description: "no connection to the catalogue") }
            do {
                return try body(Catalogue(connection: connection, actingAs: Catalogue.authenticatorRole))
            } catch {
                if case CatalogueError.unreachable = error { box = nil }
                throw error
            }
        }
    }

    func all() -> (sessions: [LocalSession], problems: [String]) {
        do {
            let rows = try withCatalogue { try $0.labRecords() }
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

    func load(_ id: String) throws -> LocalSession? {
        guard let row = try withCatalogue({ try $0.labRecord(id) }) else { return nil }
        return try decode(row)
    }

    /// The record serving a catalogue session.
    func record(catalogueSession: String) throws -> LocalSession? {
        guard let row = try withCatalogue({ try $0.labRecord(session: catalogueSession) }) else { return nil }
        return try decode(row)
    }

    func bundle(_ id: String) throws -> String {
        guard let bundle = try withCatalogue({ try $0.labBundle(id) }) else {
            throw Failure(description: "the workshop of lab \(id) is not in the catalogue any more; end the session and start again")
        }
        return bundle
    }

    func create(_ record: LocalSession, bundle: String) throws {
        let json = String(decoding: try SessionStore.encode(record), as: UTF8.self)
        try withCatalogue {
            try $0.insertLabRecord(id: record.id, session: record.catalogueSession, json: json, bundle: bundle, reserve: reserve)
        }
    }

    func save(_ record: LocalSession) throws {
        let json = String(decoding: try SessionStore.encode(record), as: UTF8.self)
        guard try withCatalogue({ try $0.saveLabRecord(id: record.id, session: record.catalogueSession, json: json) }) else {
            throw Failure(description: "lab \(record.id) has no record any more")
        }
    }

    @discardableResult
    func update(_ id: String, _ change: (inout LocalSession) throws -> Void) throws -> LocalSession {
        var updated: LocalSession?
        let written = try withCatalogue { catalogue in
            try catalogue.updateLabRecord(id: id) { json in
                var record = try SessionStore.decode(Data(json.utf8))
                try change(&record)
                updated = record
                return (String(decoding: try SessionStore.encode(record), as: UTF8.self), record.catalogueSession)
            }
        }
        guard written != nil, let updated else { throw Failure(description: "lab \(id) has no record any more") }
        return updated
    }

    func remove(_ id: String) throws {
        try withCatalogue { try $0.deleteLabRecord(id) }
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
