import Foundation

/// A class in the portal: which workshops, how many sessions at once, how long, and who may come.
public struct EventRecord: Sendable, Hashable {
    public var name: String
    public var title: String
    public var capacity: Int
    public var reserved: Int
    public var perLearner: Int
    /// Each session's length (nil: the workshop's own).
    public var sessionSeconds: Int?
    /// How long after its start a session may be extended to (nil: no extension).
    public var deadlineSeconds: Int?
    /// How long a session may go without its page open before it is ended (nil: never).
    public var orphanSeconds: Int?
    public var hasAccessCode: Bool
    public var registration: Registration
    public var opensAt: String?
    public var closesAt: String?
    public var closed: Bool
    /// `OWNER/SLUG` or `OWNER/SLUG@VERSION`, in the event's order.
    public var workshops: [String]
    /// Sessions running now.
    public var running: Int

    public enum Registration: String, Sendable, Hashable, CaseIterable {
        /// Learners log in with their accounts.
        case accounts
        /// Learners give a display name and get a guest account.
        case anonymous
    }
}

/// What an event is created with.
public struct EventDefinition: Sendable {
    public var name: String
    public var title: String?
    public var workshops: [String]
    public var capacity: Int
    public var reserved = 0
    public var perLearner = 1
    public var sessionSeconds: Int?
    public var deadlineSeconds: Int?
    public var orphanSeconds: Int?
    public var accessCode: String?
    public var registration: EventRecord.Registration = .accounts
    public var opensAt: Date?
    public var closesAt: Date?

    public init(name: String, workshops: [String], capacity: Int) {
        self.name = name
        self.workshops = workshops
        self.capacity = capacity
    }
}

extension Catalogue {
    /// Creates an event (admins). The access code is stored as an Argon2id hash.
    public func createEvent(_ definition: EventDefinition) throws {
        let codeHash: String?
        do {
            codeHash = try definition.accessCode.map { try PasswordHash.make($0) }
        } catch let refused as PasswordHash.Refused {
            throw CatalogueError.invalid("access code: \(refused.description)", hint: nil)
        }
        let timestamp = ISO8601DateFormatter()
        try run("""
            SELECT nalabo.create_event($1, $2, $3::text[], $4::integer, $5::integer, $6::integer, $7::integer, $8::integer,
                                       $9::integer, $10, $11, $12::timestamptz, $13::timestamptz)
            """, [definition.name, definition.title, Self.textArray(definition.workshops), String(definition.capacity),
                  String(definition.reserved), String(definition.perLearner), definition.sessionSeconds.map(String.init),
                  definition.deadlineSeconds.map(String.init), definition.orphanSeconds.map(String.init), codeHash,
                  definition.registration.rawValue, definition.opensAt.map(timestamp.string(from:)),
                  definition.closesAt.map(timestamp.string(from:))])
    }

    /// Events the caller may see, newest first.
    public func events(named name: String? = nil) throws -> [EventRecord] {
        try run("""
            SELECT e.name, e.title, e.capacity, e.reserved, e.per_learner, e.session_seconds, e.deadline_seconds, e.orphan_seconds,
                   e.registration, e.opens_at, e.closes_at, e.closed_at IS NOT NULL AS closed,
                   nalabo.event_has_code(e.name) AS has_code,
                   (SELECT string_agg(h.handle || '/' || w.slug || coalesce('@' || ew.version, ''), ',' ORDER BY ew.position)
                      FROM nalabo.event_workshops ew JOIN nalabo.workshops w ON w.id = ew.workshop_id
                      JOIN nalabo.handles() h ON h.id = w.owner_id WHERE ew.event_id = e.id) AS workshops,
                   (SELECT count(*) FROM nalabo.workshop_sessions s WHERE s.event_id = e.id AND s.ended_at IS NULL
                      AND s.expires_at > now()) AS running
            FROM nalabo.events e WHERE $1::text IS NULL OR e.name = $1 ORDER BY e.created_at DESC
            """, [name]).records.compactMap { row in
            guard let name = row["name"], let title = row["title"], let capacity = row.int("capacity") else { return nil }
            return EventRecord(name: name, title: title, capacity: capacity, reserved: row.int("reserved") ?? 0,
                               perLearner: row.int("per_learner") ?? 1, sessionSeconds: row.int("session_seconds"),
                               deadlineSeconds: row.int("deadline_seconds"), orphanSeconds: row.int("orphan_seconds"),
                               hasAccessCode: row.bool("has_code"),
                               registration: row["registration"].flatMap(EventRecord.Registration.init) ?? .accounts,
                               opensAt: row["opens_at"], closesAt: row["closes_at"], closed: row.bool("closed"),
                               workshops: (row["workshops"] ?? "").split(separator: ",").map(String.init),
                               running: row.int("running") ?? 0)
        }
    }

    public func closeEvent(_ name: String) throws {
        try run("SELECT nalabo.close_event($1)", [name])
    }

    /// Starts the caller's session of a version within an event; the database enforces the event's window,
    /// capacity and per-learner cap.
    public func startEventSession(event: String, version: PublishedVersion) throws -> String {
        guard let id = try run("SELECT nalabo.start_event_session($1, $2::bigint)", [event, String(version.id)]).scalar else {
            throw CatalogueError.database("the session was not created")
        }
        return id
    }

    /// Extends an event session up to its deadline; returns the new expiry (ISO 8601).
    public func extendSession(_ session: String) throws -> Date {
        guard let text = try run("SELECT to_char(nalabo.extend_session($1::uuid) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", [session]).scalar,
              let date = ISO8601DateFormatter().date(from: text) else {
            throw CatalogueError.database("the session was not extended")
        }
        return date
    }

    /// Marks the caller's session active now.
    public func touchSession(_ session: String) throws {
        try run("SELECT nalabo.touch_session($1::uuid)", [session])
    }

    /// One catalogue session of the caller's (or one they may see), with its expiry; nil when it is not visible.
    public func session(_ id: String) throws -> (record: SessionRecord, eventName: String?, ended: Bool)? {
        guard UUID(uuidString: id) != nil else { return nil }
        guard let row = try run("""
            SELECT s.id, lh.handle AS learner, oh.handle || '/' || w.slug || '@' || v.version AS workshop, s.status, s.score,
                   s.started_at, to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at,
                   s.ended_at IS NOT NULL AS ended, e.name AS event
            FROM nalabo.workshop_sessions s
            JOIN nalabo.handles() lh ON lh.id = s.learner_id
            JOIN nalabo.workshop_versions v ON v.id = s.version_id
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() oh ON oh.id = w.owner_id
            LEFT JOIN nalabo.events e ON e.id = s.event_id
            WHERE s.id = $1::uuid
            """, [id]).records.first, let learner = row["learner"], let workshop = row["workshop"] else { return nil }
        return (SessionRecord(id: id, learner: learner, workshop: workshop, status: row["status"] ?? "", score: row.int("score") ?? 0,
                              startedAt: row["started_at"] ?? "", expiresAt: row["expires_at"] ?? ""),
                row["event"], row.bool("ended"))
    }

    /// Whether `id` is the caller's own session that has not ended: the event's name ("" for none), or nil.
    /// Row-level security hides other learners' sessions; the learner test keeps owners and admins (who may
    /// see them) from driving them.
    public func ownLiveSession(_ id: String) throws -> String? {
        try run("""
            SELECT coalesce(e.name, '') AS event FROM nalabo.workshop_sessions s LEFT JOIN nalabo.events e ON e.id = s.event_id
            WHERE s.id = $1::uuid AND s.learner_id = nalabo.my_id() AND s.ended_at IS NULL
            """, [id]).records.first.map { $0["event"] ?? "" }
    }

    /// What anyone may know of an event before logging in (as the authenticator): its title, how learners
    /// register and whether it asks for an access code.
    public func publicEvent(_ name: String) throws -> (title: String, registration: EventRecord.Registration, hasAccessCode: Bool)? {
        guard let row = try run("SELECT title, registration, nalabo.event_has_code(name) AS has_code FROM nalabo.events WHERE name = $1",
                                [name]).records.first, let title = row["title"] else { return nil }
        return (title, row["registration"].flatMap(EventRecord.Registration.init) ?? .accounts, row.bool("has_code"))
    }
}
