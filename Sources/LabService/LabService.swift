import Catalogue
import Foundation
import Runtime
import WorkshopSpec

/// What the CLI and the portal share to run a learner's session: resolve a workshop (a directory or a published
/// version), start a session on a backend with its catalogue session recorded first, grade and solve with every
/// attempt recorded, and end it. No printing and no argument parsing: callers present what it returns.
public struct LabService: Sendable {
    public let backend: any SessionBackend
    public let store: any SessionRecords
    /// Opens the catalogue when a session of a published workshop must record something; nil when there is none
    /// to reach (progress is then kept locally only, with a warning).
    public let catalogue: @Sendable () throws -> Catalogue
    /// Where the (blocking) catalogue calls run.
    public let blocking: BlockingCalls

    public init(backend: any SessionBackend, store: any SessionRecords, catalogue: @escaping @Sendable () throws -> Catalogue,
                blocking: BlockingCalls = .inline) {
        self.backend = backend
        self.store = store
        self.catalogue = catalogue
        self.blocking = blocking
    }

    /// Runs `body` on the catalogue, where blocking calls run.
    private func onCatalogue<T: Sendable>(_ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        let catalogue = catalogue
        return try await blocking.run { try body(catalogue()) }
    }

    /// A workshop ready to run, and where it came from.
    public struct Resolved: Sendable {
        public var workshop: Workshop
        /// A directory path, or the published version's address.
        public var source: String
        /// The published version, when it came from the catalogue (progress is then recorded there).
        public var published: PublishedVersion?

        public init(workshop: Workshop, source: String, published: PublishedVersion? = nil) {
            self.workshop = workshop
            self.source = source
            self.published = published
        }
    }

    /// A published workshop's bundle could not be read back, or does not match its digest.
    public struct DamagedBundle: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The workshop of a published version, checked against its digest.
    public static func workshop(of version: PublishedVersion) throws -> Workshop {
        do {
            let workshop = try StoredBundle(json: version.bundleJSON).workshop()
            guard WorkshopBundle(workshop).digest == version.digest else {
                throw DamagedBundle(description: "the stored bundle of \(version.address) does not match its digest \(version.digest); the catalogue may be damaged")
            }
            return workshop
        } catch let problem as StoredBundle.Problem {
            throw DamagedBundle(description: "the stored bundle of \(version.address) cannot be read: \(problem.description)")
        }
    }

    /// A published workshop, resolved in the catalogue (`[OWNER/]SLUG[@VERSION]`).
    public static func resolve(_ address: WorkshopAddress, in catalogue: Catalogue) throws -> Resolved {
        let version = try catalogue.resolve(address)
        return Resolved(workshop: try Self.workshop(of: version), source: version.address.description, published: version)
    }

    /// Starts a session. For a published workshop the catalogue session comes first — the database checks the
    /// owner's current plan and refuses before anything runs — and is ended again when the start fails.
    ///
    /// Within a hosted `event` the database also enforces the event's window, capacity and per-learner cap,
    /// and decides the session's length; the containers are kept until the event's deadline so that the
    /// session can be extended.
    public func start(_ resolved: Resolved, options: SessionProvisioner.Options, event: EventRecord? = nil,
                      events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        let provisioner = SessionProvisioner(backend: backend, store: store)
        var catalogueSession: String?
        var options = options
        if let version = resolved.published {
            if let event {
                let (id, expiry) = try await onCatalogue { catalogue in
                    let id = try catalogue.startEventSession(event: event.name, version: version)
                    return (id, try catalogue.session(id).flatMap { ISO8601DateFormatter().date(from: $0.record.expiresAt) })
                }
                catalogueSession = id
                if let expiry {
                    options.expiresAt = expiry
                    options.extendableUntil = event.deadlineSeconds.map { Date().addingTimeInterval(TimeInterval($0)) }
                }
                if let claimed = try await claimReserve(session: id, expiresAt: options.expiresAt) {
                    return claimed
                }
            } else {
                catalogueSession = try await onCatalogue { try $0.startSession(version: version) }
            }
        }
        options.source = resolved.source
        options.catalogueSession = catalogueSession
        do {
            return try await provisioner.up(resolved.workshop, options: options, events: events)
        } catch {
            if let catalogueSession { _ = try? await onCatalogue { try $0.endSession(catalogueSession) } }
            throw error
        }
    }

    /// Gives a new event session a reserved lab, started ahead for its event and version, when one is ready
    /// (the database hands each to one session only); nil when none is.
    private func claimReserve(session: String, expiresAt: Date?) async throws -> LocalSession? {
        let claimed: String?
        do {
            claimed = try await onCatalogue { try $0.claimReservedLab(session: session) }
        } catch {
            _ = try? await onCatalogue { try $0.endSession(session) }
            throw error
        }
        guard let claimed else { return nil }
        do {
            return try await store.update(claimed) { record in
                record.catalogueSession = session
                record.createdAt = Date()
                if let expiresAt { record.expiresAt = expiresAt }
            }
        } catch {
            _ = try? await onCatalogue { try $0.endSession(session) }
            throw error
        }
    }

    /// Grades a session and records the graded attempts in the catalogue; `warnings` say what could not be
    /// recorded there (grading itself always works from the local state).
    public func check(_ record: LocalSession, workshop: Workshop, requested: [String] = []) async throws -> (report: GradeReport, warnings: [String]) {
        let report = try await Grader(backend: backend, store: store).check(record, workshop: workshop, requested: requested)
        guard let session = record.catalogueSession else { return (report, []) }
        let graded = report.challenges.filter { $0.state == .passed || $0.state == .failed }
        guard !graded.isEmpty else { return (report, []) }
        let attempts = graded.map { (id: $0.id, passed: $0.state == .passed, points: $0.checks.reduce(0) { $0 + $1.points }) }
        do {
            try await onCatalogue { catalogue in
                for attempt in attempts {
                    try catalogue.recordAttempt(session: session, challenge: attempt.id, passed: attempt.passed, points: attempt.points)
                }
            }
            return (report, [])
        } catch {
            return (report, ["the attempt was graded and kept locally, but the catalogue did not record it: \(error)"])
        }
    }

    /// Runs a challenge's reference solution; when it succeeds the challenge is marked skipped, locally and in the
    /// catalogue.
    public func solve(_ record: LocalSession, workshop: Workshop, challenge: String) async throws -> (outcome: ScriptOutcome, warnings: [String]) {
        let outcome = try await Grader(backend: backend, store: store).solve(record, workshop: workshop, challenge: challenge)
        guard outcome.succeeded, let session = record.catalogueSession else { return (outcome, []) }
        do {
            try await onCatalogue { try $0.recordAttempt(session: session, challenge: challenge, passed: true, points: 0, skipped: true) }
            return (outcome, [])
        } catch {
            return (outcome, ["the catalogue did not record the skip: \(error)"])
        }
    }

    /// Moves the learner on to the next step (its setup and those of the challenges that start with it run).
    public func next(_ record: LocalSession, workshop: Workshop, from: Int? = nil,
                     events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        try await SessionLifecycle(backend: backend, store: store).next(record.id, workshop: workshop, from: from, events: events)
    }

    /// A session the database may not extend further.
    public struct NotExtendable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Extends a hosted session up to its event's deadline (the database decides by how much); returns the
    /// record with its new expiry.
    public func extend(_ record: LocalSession) async throws -> LocalSession {
        guard let session = record.catalogueSession else {
            throw NotExtendable(description: "session \(record.id) is not part of an event, so it cannot be extended")
        }
        let expiry = try await onCatalogue { try $0.extendSession(session) }
        return try await store.update(record.id) { $0.expiresAt = expiry }
    }

    /// Ends a session: removes everything of it from the backend and the local state, and lets the catalogue
    /// decide its ending and score. `problems` are what could not be removed.
    public func end(_ record: LocalSession) async -> (problems: [String], warnings: [String]) {
        let problems = await SessionProvisioner(backend: backend, store: store).remove(sessionID: record.id)
        guard let session = record.catalogueSession else { return (problems, []) }
        do {
            _ = try await onCatalogue { try $0.endSession(session) }
            return (problems, [])
        } catch {
            return (problems, ["the catalogue did not record the end of the session: \(error)"])
        }
    }
}
