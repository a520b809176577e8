import Foundation

/// A portal lab's stored record (nalabo's session record as JSON) and what it belongs to.
public struct LabRecordRow: Sendable, Hashable {
    public var id: String
    /// The catalogue session it serves; nil for a reserve nobody has claimed yet.
    public var session: String?
    public var json: String
}

/// Where a reserved lab comes from: an event's workshop version that lacks reserves.
public struct ReserveWant: Sendable {
    public var event: String
    /// The version's id.
    public var version: Int
    /// `OWNER/SLUG@VERSION`.
    public var address: String
    public var digest: String
    public var bundleJSON: String
    /// How many more reserves to start.
    public var missing: Int
    public var sessionSeconds: Int?
    public var deadlineSeconds: Int?
}

/// A reserved lab's place: the event and version it was started for and until when it may be claimed.
public struct ReservePlacement: Sendable, Hashable {
    public var event: String
    public var version: Int
    public var claimableUntil: Date

    public init(event: String, version: Int, claimableUntil: Date) {
        self.event = event
        self.version = version
        self.claimableUntil = claimableUntil
    }
}

/// The portal's lab records (run as `nalabo_authenticator`, which may read and write them all; a learner's
/// role reads only the records of its own sessions).
extension Catalogue {
    public func labRecords() throws -> [LabRecordRow] {
        try run("SELECT id, session_id, record::text AS record FROM nalabo.lab_records ORDER BY created_at DESC").records.compactMap(LabRecordRow.init)
    }

    public func labRecord(_ id: String) throws -> LabRecordRow? {
        try run("SELECT id, session_id, record::text AS record FROM nalabo.lab_records WHERE id = $1", [id]).records.first.flatMap(LabRecordRow.init)
    }

    /// The record serving a catalogue session; as a learner, nil for anyone else's session.
    public func labRecord(session: String) throws -> LabRecordRow? {
        try run("SELECT id, session_id, record::text AS record FROM nalabo.lab_records WHERE session_id = $1::uuid",
                [session]).records.first.flatMap(LabRecordRow.init)
    }

    public func labBundle(_ id: String) throws -> String? {
        try run("SELECT bundle FROM nalabo.lab_records WHERE id = $1", [id]).scalar
    }

    /// Stores a new record; a `reserve` makes it a reserved lab of that event and version.
    public func insertLabRecord(id: String, session: String?, json: String, bundle: String, reserve: ReservePlacement?) throws {
        try run("""
            INSERT INTO nalabo.lab_records (id, session_id, record, bundle, event_id, version_id, claimable_until)
            VALUES ($1, $2::uuid, $3::jsonb, $4, (SELECT id FROM nalabo.events WHERE name = $5), $6::bigint, $7::timestamptz)
            """, [id, session, json, bundle, reserve?.event, reserve.map { String($0.version) },
                  reserve.map { ISO8601DateFormatter().string(from: $0.claimableUntil) }])
    }

    /// Replaces a record's JSON (and links it to its session once it has one); false when there is no such record.
    @discardableResult
    public func saveLabRecord(id: String, session: String?, json: String) throws -> Bool {
        try run("""
            UPDATE nalabo.lab_records SET record = $2::jsonb, session_id = coalesce($3::uuid, session_id)
            WHERE id = $1 RETURNING id
            """, [id, json, session]).scalar != nil
    }

    /// Changes a record under a row lock held until the change is written, so concurrent updates from any
    /// process queue; `change` returns the new JSON and the session it serves. Nil when there is no such record.
    public func updateLabRecord(id: String, _ change: (String) throws -> (json: String, session: String?)) throws -> String? {
        try inTransaction { catalogue in
            guard let current = try catalogue.run("SELECT record::text FROM nalabo.lab_records WHERE id = $1 FOR UPDATE", [id]).scalar else {
                return nil
            }
            let (json, session) = try change(current)
            try catalogue.run("UPDATE nalabo.lab_records SET record = $2::jsonb, session_id = coalesce($3::uuid, session_id) WHERE id = $1",
                              [id, json, session])
            return json
        }
    }

    /// The reserved labs nobody has claimed yet.
    public func unclaimedReserves() throws -> [String] {
        try run("SELECT id FROM nalabo.lab_records WHERE claimable_until IS NOT NULL AND session_id IS NULL ORDER BY created_at")
            .rows.compactMap { $0.first ?? nil }
    }

    /// Takes a reserve out of the pool before it is removed: true when it was still unclaimed (a learner's claim
    /// that came first keeps it).
    public func withdrawReserve(_ id: String) throws -> Bool {
        try run("DELETE FROM nalabo.lab_records WHERE id = $1 AND session_id IS NULL AND claimable_until IS NOT NULL RETURNING id",
                [id]).scalar != nil
    }

    public func deleteLabRecord(_ id: String) throws {
        try run("DELETE FROM nalabo.lab_records WHERE id = $1", [id])
    }

    /// Gives the caller's new event session a ready reserved lab of its event and version: the record's id, or
    /// nil when none is ready.
    public func claimReservedLab(session: String) throws -> String? {
        try run("SELECT nalabo.claim_reserved_lab($1::uuid)", [session]).scalar
    }

    /// The reserves each open event's workshops lack.
    public func reservesWanted() throws -> [ReserveWant] {
        try run("SELECT * FROM nalabo.reserves_wanted()").records.compactMap { row in
            guard let event = row["event"], let version = row.int("version_id"), let address = row["address"],
                  let digest = row["digest"], let bundle = row["bundle"], let missing = row.int("missing"), missing > 0 else { return nil }
            return ReserveWant(event: event, version: version, address: address, digest: digest, bundleJSON: bundle,
                               missing: missing, sessionSeconds: row.int("session_seconds"), deadlineSeconds: row.int("deadline_seconds"))
        }
    }

    /// Reserved labs to remove (past their claim time, of a closed event, of a version no longer started).
    public func staleReserves() throws -> [String] {
        try run("SELECT * FROM nalabo.stale_reserves()").rows.compactMap { $0.first ?? nil }
    }

    /// Labs whose session has ended, wherever it was ended: their containers are to be removed.
    public func endedLabs() throws -> [String] {
        try run("SELECT * FROM nalabo.ended_labs()").rows.compactMap { $0.first ?? nil }
    }

    /// Takes the catalogue-wide lock that one portal process holds while it starts reserves (held by this
    /// connection until ``releaseReserveLock()`` or until it closes); false when another process holds it.
    public func tryReserveLock() throws -> Bool {
        try run("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('nalabo.reserves'))").scalar == "t"
    }

    public func releaseReserveLock() throws {
        try run("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('nalabo.reserves'))")
    }
}

extension LabRecordRow {
    init?(_ row: Row) {
        guard let id = row["id"], let json = row["record"] else { return nil }
        self.init(id: id, session: row["session_id"], json: json)
    }
}
