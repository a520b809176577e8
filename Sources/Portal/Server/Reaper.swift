import Catalogue
import Foundation
import LabService
import Logging
import Runtime
import WorkshopSpec

/// Keeps the catalogue's labs in order, in every portal process at once (the database decides what is due, so
/// they agree, and a restarted process carries on): ends sessions that are past their time or whose page has been
/// closed for longer than their event's orphan time, removes the labs of sessions ended anywhere else (another
/// portal, an instructor, the CLI), recycles stale reserved labs and starts the reserves events lack.
struct Reaper: Sendable {
    let labs: LabSessions
    let interval: Duration
    /// How long a reserved lab waits for a learner before it is recycled.
    let reserveClaimWindow: Duration
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            await sweep()
            await refillReserves()
            try? await Task.sleep(for: interval)
        }
    }

    private func authenticator<T: Sendable>(_ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        try await labs.pool.withCatalogue(as: Catalogue.authenticatorRole, body)
    }

    /// Ends due sessions and removes the labs of ended ones; returns the catalogue sessions it ended.
    @discardableResult
    func sweep() async -> [String] {
        let due: [(session: String, reason: String)]
        let ended: [String]
        do {
            due = try await authenticator { try $0.sessionsToReap() }
            ended = try await authenticator { try $0.endedLabs() }
        } catch {
            logger.warning("reaper: the catalogue did not answer: \(error)")
            return []
        }
        var reaped: [String] = []
        for (session, reason) in due {
            let problems = await labs.removeLab(catalogueSession: session)
            guard problems.isEmpty else {
                logger.warning("reaper: session \(session) (\(reason)) could not be removed yet: \(problems.joined(separator: "; "))")
                continue
            }
            do {
                if let status = try await authenticator({ try $0.reapSession(session) }) {
                    logger.notice("reaper: ended session \(session) (\(reason)): \(status)")
                    reaped.append(session)
                }
            } catch {
                logger.warning("reaper: the catalogue did not record the end of \(session): \(error)")
            }
        }
        for id in ended { await removeRecord(id, why: "its session has ended") }
        return reaped
    }

    private func removeRecord(_ id: String, why: String) async {
        guard let record = try? await labs.store.load(id) else { return }
        let problems = await labs.remove(record)
        if problems.isEmpty {
            logger.notice("reaper: removed lab \(id) (\(why))")
        } else {
            logger.warning("reaper: lab \(id) (\(why)) could not be removed yet: \(problems.joined(separator: "; "))")
        }
    }

    /// Recycles stale reserved labs and starts the ones events lack, while holding the catalogue-wide reserve
    /// lock (one process at a time starts reserves, so together they never start too many). Returns the labs
    /// it started.
    @discardableResult
    func refillReserves() async -> [String] {
        // The advisory lock belongs to a connection: this one is held, out of the pool, until it is released.
        let pool = labs.pool
        let held: UncheckedBox<Connection>
        do {
            held = try await pool.borrow()
            let locked = try await pool.threads.runIfActive { [held] in
                try Catalogue(connection: held.value, actingAs: Catalogue.authenticatorRole).tryReserveLock()
            }
            guard locked else {
                pool.giveBack(held.value)
                return []
            }
        } catch {
            logger.warning("reaper: the catalogue did not answer: \(error)")
            return []
        }
        var started: [String] = []
        do {
            for id in try await authenticator({ try $0.staleReserves() }) { await removeRecord(id, why: "a stale reserve") }
            await withdrawDeadReserves()
            for want in try await authenticator({ try $0.reservesWanted() }) {
                for _ in 0..<want.missing {
                    guard !Task.isCancelled, let id = await startReserve(want) else { break }
                    started.append(id)
                }
            }
        } catch {
            logger.warning("reaper: reserves could not be looked at: \(error)")
        }
        do {
            try await pool.threads.runIfActive { [held] in
                try Catalogue(connection: held.value, actingAs: Catalogue.authenticatorRole).releaseReserveLock()
            }
            pool.giveBack(held.value)
        } catch {
            // A connection that could not unlock is dropped, which ends its lock with it.
            logger.warning("reaper: the reserve lock could not be released: \(error)")
        }
        return started
    }

    /// Removes the unclaimed reserves whose containers no longer all run (their engine restarted, or the kernel
    /// killed one), so that none is handed to a learner broken; the refill then starts new ones. A reserve a
    /// learner claims meanwhile is left to them.
    private func withdrawDeadReserves() async {
        guard let ids = try? await authenticator({ try $0.unclaimedReserves() }) else { return }
        for id in ids {
            guard let record = try? await labs.store.load(id), record.status == .ready else { continue }
            // A backend that does not answer says nothing about the reserve: it is looked at again next time.
            guard let handle = record.handle, let backend = try? await labs.backend(for: record),
                  let health = try? await backend.health(handle) else { continue }
            let down = record.containers.map(\.name).filter { health[$0]?.running != true }
            guard !down.isEmpty, (try? await authenticator({ try $0.withdrawReserve(id) })) == true else { continue }
            let problems = await SessionProvisioner(backend: backend, store: labs.store).remove(sessionID: id)
            let left = problems.isEmpty ? "" : " (not all removed yet: \(problems.joined(separator: "; ")))"
            logger.notice("reaper: withdrew reserve \(id), whose \(down.joined(separator: ", ")) no longer runs\(left)")
        }
    }

    /// Starts one reserved lab of an event's workshop version (setup and all, as a learner's), kept until the
    /// claim window ends plus the longest the session may then last.
    private func startReserve(_ want: ReserveWant) async -> String? {
        let workshop: Workshop
        do {
            workshop = try StoredBundle(json: want.bundleJSON).workshop()
            guard WorkshopBundle(workshop).digest == want.digest else {
                logger.warning("reaper: the bundle of \(want.address) does not match its digest; no reserve started")
                return nil
            }
        } catch {
            logger.warning("reaper: the bundle of \(want.address) cannot be read: \(error)")
            return nil
        }
        let window = TimeInterval(reserveClaimWindow.components.seconds)
        let claimableUntil = Date().addingTimeInterval(window)
        let length = TimeInterval(want.sessionSeconds ?? Int(workshop.limits.session.seconds))
        var options = SessionProvisioner.Options(source: want.address)
        options.secrets = labs.secrets
        options.expiresAt = claimableUntil.addingTimeInterval(length)
        options.extendableUntil = want.deadlineSeconds.map { claimableUntil.addingTimeInterval(TimeInterval($0)) }
        let store = labs.store.reserving(ReservePlacement(event: want.event, version: want.version, claimableUntil: claimableUntil))
        do {
            let record = try await SessionProvisioner(backend: labs.backend, store: store).up(workshop, options: options)
            logger.notice("reaper: reserved lab \(record.id) of \(want.address) for \(want.event)")
            return record.id
        } catch {
            logger.warning("reaper: a reserved lab of \(want.address) for \(want.event) could not be started: \(error)")
            return nil
        }
    }

    /// Ends every running lab of the catalogue and removes every reserve (`--end-labs-on-exit`).
    func endAll() async {
        let records = await labs.store.all().sessions
        for record in records {
            if let session = record.catalogueSession {
                _ = try? await authenticator { try $0.reapSession(session) }
            }
            await removeRecord(record.id, why: "the portal stopped")
        }
    }
}
