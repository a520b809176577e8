extension Catalogue {
    /// Starts a learner's session of a published version; returns its id.
    public func startSession(version: PublishedVersion, lasting seconds: Int) throws -> String {
        guard let id = try run("""
            INSERT INTO nalabo.workshop_sessions (learner_id, version_id, expires_at)
            VALUES (nalabo.user_id(current_user), $1, now() + make_interval(secs => $2))
            RETURNING id
            """, [String(version.id), String(seconds)]).scalar else {
            throw CatalogueError.database("the session was not created")
        }
        return id
    }

    /// Records one graded attempt of a challenge.
    public func recordAttempt(session: String, challenge: String, passed: Bool, points: Int, skipped: Bool = false) throws {
        try run("""
            INSERT INTO nalabo.challenge_attempts (session_id, challenge, passed, points, skipped)
            VALUES ($1::uuid, $2, $3, $4, $5)
            """, [session, challenge, passed ? "true" : "false", String(points), skipped ? "true" : "false"])
    }

    /// Ends a session with its final status and score.
    public func endSession(_ session: String, status: String, score: Int) throws {
        let updated = try run("""
            UPDATE nalabo.workshop_sessions SET ended_at = now(), status = $2, score = $3 WHERE id = $1::uuid RETURNING id
            """, [session, status, String(score)])
        if updated.rows.isEmpty { throw CatalogueError.notFound("no session \(session) of yours") }
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
