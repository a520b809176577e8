import Catalogue
import Foundation
import Logging
import Runtime

/// Ends the portal's sessions that are past their time or whose page has been closed for longer than their
/// event's orphan time: the database says which (so every portal process on the catalogue agrees, and a
/// restarted one carries on), this removes their containers and then records the end. Local records whose
/// catalogue session has ended elsewhere are removed too.
struct Reaper: Sendable {
    let labs: LabSessions
    let interval: Duration
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            await sweep()
            try? await Task.sleep(for: interval)
        }
    }

    /// One pass; returns the catalogue sessions it ended.
    @discardableResult
    func sweep() async -> [String] {
        let due: [(session: String, reason: String)]
        do {
            due = try await labs.pool.withCatalogue(as: Catalogue.authenticatorRole) { try $0.sessionsToReap() }
        } catch {
            logger.warning("reaper: the catalogue did not answer: \(error)")
            return []
        }
        let records = labs.store.all().sessions
        var ended: [String] = []
        for (session, reason) in due {
            if let record = records.first(where: { $0.catalogueSession == session }) {
                let backend = (try? await labs.backend(for: record)) ?? labs.backend
                let problems = await SessionProvisioner(backend: backend, store: labs.store).remove(sessionID: record.id)
                guard problems.isEmpty else {
                    logger.warning("reaper: session \(session) (\(reason)) could not be removed yet: \(problems.joined(separator: "; "))")
                    continue
                }
            }
            do {
                if let status = try await labs.pool.withCatalogue(as: Catalogue.authenticatorRole, { try $0.reapSession(session) }) {
                    logger.notice("reaper: ended session \(session) (\(reason)): \(status)")
                    ended.append(session)
                }
            } catch {
                logger.warning("reaper: the catalogue did not record the end of \(session): \(error)")
            }
        }
        return ended
    }
}
