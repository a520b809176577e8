import Catalogue
import Foundation
import LabService
import Runtime
import WorkshopSpec

/// The portal's lab sessions: each is a catalogue session (its public id, seen through row-level security as
/// the caller) and a lab record of the backend's objects, kept in the catalogue too. Every operation first asks
/// the database, as the caller, whether the session is theirs, and reads its lab record as the caller (whose
/// role sees only the records of its own sessions).
struct LabSessions: Sendable {
    let pool: ConnectionPool
    let store: CatalogueLabRecords
    let backend: any SessionBackend
    /// Where the values of workshops' `secrets:` come from for the labs this portal starts.
    var secrets = SecretSource()

    /// A session the caller owns, with its record and workshop.
    struct Owned: Sendable {
        var catalogueID: String
        var record: LocalSession
        var workshop: Workshop
        var event: String?
    }

    /// Runs `body` with a LabService whose catalogue acts as `role` on one borrowed connection.
    func withService<T: Sendable>(as role: String, backend: (any SessionBackend)? = nil,
                                  _ body: @Sendable (LabService) async throws -> T) async throws -> T {
        let borrowed = try await pool.borrow()
        let catalogue = UncheckedBox(Catalogue(connection: borrowed.value, actingAs: role))
        let threads = pool.threads
        let service = LabService(backend: backend ?? self.backend, store: store, catalogue: { catalogue.value },
                                 blocking: BlockingCalls { work in try await threads.runIfActive(work) })
        do {
            let value = try await body(service)
            pool.giveBack(borrowed.value)
            return value
        } catch {
            if case CatalogueError.unreachable = error {} else { pool.giveBack(borrowed.value) }
            throw error
        }
    }

    /// The caller's own live session `id`; 404 for anyone else's (the database shows them nothing of it), for
    /// an ended one, and for an id that is not a session.
    func owned(_ id: String, as role: String) async throws -> Owned {
        guard UUID(uuidString: id) != nil else { throw PortalError.notFound("no session \(id)") }
        let found = try await pool.withCatalogue(as: role) { catalogue in
            try catalogue.ownLiveSession(id)
        }
        guard let event = found else { throw PortalError.notFound("no session \(id) of yours") }
        let stored = try await pool.withCatalogue(as: role) { catalogue -> (record: LabRecordRow, bundle: String?)? in
            guard let row = try catalogue.labRecord(session: id) else { return nil }
            return (row, try catalogue.labBundle(row.id))
        }
        guard let stored else {
            throw PortalError(status: .gone, message: "session \(id) has no running lab (it was ended or lost); start a new one")
        }
        let record: LocalSession
        let workshop: Workshop
        do {
            record = try SessionStore.decode(Data(stored.record.json.utf8))
            workshop = try StoredBundle(json: stored.bundle ?? "").workshop()
        } catch {
            throw PortalError(status: .internalServerError, message: "the lab record of session \(id) cannot be read: \(error)")
        }
        return Owned(catalogueID: id, record: record, workshop: workshop, event: event.isEmpty ? nil : event)
    }

    /// The backend of a record: the portal's own, or the one the record was started on.
    func backend(for record: LocalSession) async throws -> any SessionBackend {
        if record.backend == backend.locator { return backend }
        return try await SessionBackends.reopen(record)
    }

    /// Marks the caller's session as in use now (its page or terminal is open): the reaper ends orphaned
    /// sessions by this. A failure is not the caller's problem and is ignored.
    func touch(_ id: String, as role: String) async {
        _ = try? await pool.withCatalogue(as: role) { try $0.touchSession(id) }
    }

    /// Removes the containers and lab record of a catalogue session (after the database ended it); what could
    /// not be removed.
    func removeLab(catalogueSession id: String) async -> [String] {
        let found: LocalSession?
        do {
            found = try await store.record(catalogueSession: id)
        } catch {
            return ["the lab record of session \(id) cannot be read: \(error)"]
        }
        guard let record = found else { return [] }
        return await remove(record)
    }

    /// Removes a lab's containers and then its record; what could not be removed.
    func remove(_ record: LocalSession) async -> [String] {
        let backend = (try? await backend(for: record)) ?? self.backend
        return await SessionProvisioner(backend: backend, store: store).remove(sessionID: record.id)
    }

    /// The title of the step each catalogue session's learner is on, from the lab records (sessions without a
    /// record, or whose workshop has no steps, are left out). Reads every record once and each workshop once.
    func currentStepTitles(of sessions: [String]) async -> [String: String] {
        let wanted = Set(sessions)
        var workshops: [String: Workshop?] = [:]
        var titles: [String: String] = [:]
        for record in await store.all().sessions {
            guard let session = record.catalogueSession, wanted.contains(session) else { continue }
            let digest = record.workshop.digest
            if workshops[digest] == nil {
                workshops[digest] = .some((try? await store.bundle(record.id)).flatMap { try? StoredBundle(json: $0).workshop() })
            }
            guard let workshop = workshops[digest] ?? nil, !workshop.steps.isEmpty else { continue }
            titles[session] = workshop.steps[SessionLifecycle.currentStep(record, workshop: workshop)].title
        }
        return titles
    }
}
