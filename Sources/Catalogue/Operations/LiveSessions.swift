/// A running session as its workshop's owner (or an admin) watches it.
public struct LiveSession: Sendable, Hashable {
    public var id: String
    public var learner: String
    public var workshop: String
    public var event: String?
    public var score: Int
    public var startedAt: String
    /// ISO 8601, UTC.
    public var expiresAt: String
    /// When its page or terminal was last seen (ISO 8601, UTC); nil when never.
    public var lastActivity: String?
}

extension Catalogue {
    /// Running sessions of the caller's workshops (every running session, for admins, with `all`), newest
    /// first, each with its score so far (the best points of each challenge's attempts).
    public func liveSessions(all: Bool = false, limit: Int = 500) throws -> [LiveSession] {
        try run("""
            SELECT s.id, coalesce(g.display_name || ' (' || lh.handle || ')', lh.handle) AS learner,
                   oh.handle || '/' || w.slug || '@' || v.version AS workshop, e.name AS event, s.started_at,
                   to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at,
                   to_char(s.last_activity AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_activity,
                   (SELECT coalesce(sum(best), 0) FROM (SELECT max(a.points) AS best FROM nalabo.challenge_attempts a
                        WHERE a.session_id = s.id AND NOT a.skipped GROUP BY a.challenge) t) AS score
            FROM nalabo.workshop_sessions s
            JOIN nalabo.handles() lh ON lh.id = s.learner_id
            LEFT JOIN nalabo.guests g ON g.user_id = s.learner_id
            JOIN nalabo.workshop_versions v ON v.id = s.version_id
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() oh ON oh.id = w.owner_id
            LEFT JOIN nalabo.events e ON e.id = s.event_id
            WHERE s.ended_at IS NULL AND s.expires_at > now() AND ($1::boolean OR w.owner_id = nalabo.my_id())
            ORDER BY s.started_at DESC LIMIT $2
            """, [all ? "true" : "false", String(limit)]).records.compactMap { row in
            guard let id = row["id"], let learner = row["learner"], let workshop = row["workshop"] else { return nil }
            return LiveSession(id: id, learner: learner, workshop: workshop, event: row["event"], score: row.int("score") ?? 0,
                               startedAt: row["started_at"] ?? "", expiresAt: row["expires_at"] ?? "", lastActivity: row["last_activity"])
        }
    }

    /// Ends a learner's running session as its workshop's owner or an admin; returns how it ended.
    @discardableResult
    public func stopSession(_ id: String) throws -> String {
        try run("SELECT nalabo.stop_session($1::uuid)", [id]).scalar ?? "abandoned"
    }
}
