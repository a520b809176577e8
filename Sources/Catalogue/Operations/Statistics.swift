extension Catalogue {
    /// Sessions started and completed, and per challenge the pass rate, attempts and median time to pass,
    /// over every version of a workshop, verified and self-reported results apart. Row-level security limits it to the owner's workshops (and admins).
    public func stats(_ address: WorkshopAddress) throws -> WorkshopStats {
        let owner = try address.owner ?? uniqueOwner(of: address.slug)
        let totals = try run("""
            SELECT count(*) AS started, count(*) FILTER (WHERE s.status = 'completed') AS completed,
                   count(*) FILTER (WHERE s.grading = 'verified') AS verified
            FROM nalabo.workshop_sessions s
            JOIN nalabo.workshop_versions v ON v.id = s.version_id
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() h ON h.id = w.owner_id
            WHERE h.handle = $1 AND w.slug = $2
            """, [owner, address.slug]).records.first
        let challenges = try run("""
            SELECT p.challenge, p.grading, count(*) AS sessions, count(p.first_passed_at) AS passed, sum(p.attempts) AS attempts,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.first_passed_at - p.started_at))
                       FILTER (WHERE p.first_passed_at IS NOT NULL) AS median_seconds
            FROM nalabo.challenge_progress p
            JOIN nalabo.workshops w ON w.id = p.workshop_id
            JOIN nalabo.handles() h ON h.id = w.owner_id
            WHERE h.handle = $1 AND w.slug = $2
            GROUP BY p.challenge, p.grading ORDER BY p.challenge, p.grading = 'self-reported', p.grading
            """, [owner, address.slug]).records
        return WorkshopStats(
            address: WorkshopAddress(owner: owner, slug: address.slug),
            sessionsStarted: totals?.int("started") ?? 0,
            sessionsCompleted: totals?.int("completed") ?? 0,
            sessionsVerified: totals?.int("verified") ?? 0,
            challenges: challenges.compactMap { row in
                guard let id = row["challenge"] else { return nil }
                return WorkshopStats.Challenge(id: id, grading: row["grading"] ?? "self-reported", sessions: row.int("sessions") ?? 0, passed: row.int("passed") ?? 0,
                                               attempts: row.int("attempts") ?? 0, medianSecondsToPass: row.double("median_seconds"))
            })
    }
}
