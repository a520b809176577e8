import Catalogue
import Foundation
import LabService
import Runtime
import WorkshopSpec

/// The portal's lab sessions: each is a catalogue session (its public id, seen through row-level security as
/// the caller) and a local record of the backend's objects. Every operation first asks the database, as the
/// caller, whether the session is theirs; only then is the local record looked up.
struct LabSessions: Sendable {
    let pool: ConnectionPool
    let store: SessionStore
    let backend: any SessionBackend

    /// A session the caller owns, with its record and workshop.
    struct Owned: Sendable {
        var catalogueID: String
        var record: LocalSession
        var workshop: Workshop
        var event: String?
    }

    /// Runs `body` with a LabService whose catalogue acts as `role` on one borrowed connection.
    func withService<T: Sendable>(as role: String, backend: (any SessionBackend)? = nil,
                                  _ body: @Sendable (LabService, Catalogue) async throws -> T) async throws -> T {
        let borrowed = try await pool.borrow()
        let catalogue = UncheckedBox(Catalogue(connection: borrowed.value, actingAs: role))
        let service = LabService(backend: backend ?? self.backend, store: store, catalogue: { catalogue.value })
        do {
            let value = try await body(service, catalogue.value)
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
        guard let record = store.all().sessions.first(where: { $0.catalogueSession == id }) else {
            throw PortalError(status: .gone, message: "session \(id) has no running lab on this portal (it was ended or lost); start a new one")
        }
        let workshop: Workshop
        do {
            workshop = try StoredBundle(json: store.bundle(record.id)).workshop()
        } catch {
            throw PortalError(status: .internalServerError, message: "the workshop stored with session \(id) cannot be read: \(error)")
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

    /// Removes the containers and local record of a catalogue session (after the database ended it);
    /// what could not be removed.
    func removeLocal(catalogueSession id: String) async -> [String] {
        guard let record = store.all().sessions.first(where: { $0.catalogueSession == id }) else { return [] }
        let backend = (try? await backend(for: record)) ?? self.backend
        return await SessionProvisioner(backend: backend, store: store).remove(sessionID: record.id)
    }

    /// The title of the step a session's learner is on, from its local record (nil when this portal has none).
    func currentStepTitle(catalogueSession id: String, in records: [LocalSession]) -> String? {
        guard let record = records.first(where: { $0.catalogueSession == id }),
              let workshop = (try? store.bundle(record.id)).flatMap({ try? StoredBundle(json: $0).workshop() }),
              !workshop.steps.isEmpty else { return nil }
        return workshop.steps[LabPage.currentStep(workshop, progress: record.progress)].title
    }
}
