extension Catalogue {
    /// Starts the caller's session of a published version; returns its id. The database takes the
    /// session's length from the bundle and refuses a version that exceeds its owner's current plan
    /// (``CatalogueError/quotaExceeded(_:hint:)``).
    public func startSession(version: PublishedVersion) throws -> String {
        guard let id = try run("SELECT nalabo.start_session($1)", [String(version.id)]).scalar else {
            throw CatalogueError.database("the session was not created")
        }
        return id
    }

    /// Why a published version may not run now (its owner's plan, checked again), in words; empty when it may.
    public func planViolations(of version: PublishedVersion) throws -> [String] {
        try run("SELECT unnest(nalabo.version_violations($1)) AS problem", [String(version.id)]).records.compactMap { $0["problem"] }
    }

    /// Records one graded attempt of a challenge. The database checks it against the version's challenges
    /// and points and stamps its own time; results reported this way are marked self-reported.
    public func recordAttempt(session: String, challenge: String, passed: Bool, points: Int, skipped: Bool = false) throws {
        try run("SELECT nalabo.record_attempt($1::uuid, $2, $3, $4, $5)",
                [session, challenge, passed ? "true" : "false", String(points), skipped ? "true" : "false"])
    }

    /// Ends a session; the database decides its status (completed, abandoned or expired) and its score from
    /// the recorded attempts, and returns the status.
    @discardableResult
    public func endSession(_ session: String) throws -> String {
        try run("SELECT nalabo.end_session($1::uuid)", [session]).scalar ?? "abandoned"
    }

    /// Sessions the caller may see: their own, those of their workshops, or all for admins.
    public func sessions(limit: Int = 200) throws -> [SessionRecord] {
        try run("""
            SELECT s.id, lh.handle AS learner, oh.handle || '/' || w.slug || '@' || v.version AS workshop, s.status, s.score,
                   s.started_at, s.expires_at
            FROM nalabo.workshop_sessions s
            JOIN nalabo.handles() lh ON lh.id = s.learner_id
            JOIN nalabo.workshop_versions v ON v.id = s.version_id
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() oh ON oh.id = w.owner_id
            ORDER BY s.started_at DESC LIMIT $1
            """, [String(limit)]).records.compactMap { row in
            guard let id = row["id"], let learner = row["learner"], let workshop = row["workshop"] else { return nil }
            return SessionRecord(id: id, learner: learner, workshop: workshop, status: row["status"] ?? "", score: row.int("score") ?? 0,
                                 startedAt: row["started_at"] ?? "", expiresAt: row["expires_at"] ?? "")
        }
    }
}
