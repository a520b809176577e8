import Catalogue
import Foundation
import Hummingbird
import Markdown
import Runtime

/// What an instructor sees: the running sessions of their workshops (ending one), and a workshop's
/// statistics with a chart per challenge. Row-level security decides which sessions and statistics.
struct InstructorRoutes {
    let labs: LabSessions
    let pool: ConnectionPool

    func register(on router: PortalRouter) {
        router.on(.get, "/api/instructor/sessions") { _, context in
            let caller = try context.requireCaller()
            let sessions = try await pool.withCatalogue(as: caller.role) { try $0.liveSessions() }
            let steps = await labs.currentStepTitles(of: sessions.map(\.id))
            return JSONText.response(JSONText.object(["sessions": sessions.map { json($0, step: steps[$0.id]) }]))
        }
        router.on(.post, "/api/instructor/sessions/:id/end") { _, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let id = try context.parameter("id")
            guard UUID(uuidString: id) != nil else { throw PortalError.notFound("no session \(id)") }
            // The database refuses unless the caller owns the workshop (or is an admin); only then do the
            // containers go.
            let status = try await pool.withCatalogue(as: caller.role) { try $0.stopSession(id) }
            let problems = await labs.removeLab(catalogueSession: id)
            return JSONText.response(JSONText.object(["id": id, "status": status, "problems": problems]))
        }
        router.on(.get, "/api/stats/:owner/:slug") { _, context in
            let caller = try context.requireCaller()
            let stats = try await statistics(context, caller)
            return JSONText.response(JSONText.object(statsJSON(stats)))
        }
        router.on(.get, "/instructor") { _, context in
            guard let caller = context.caller else { return Response(status: .seeOther, headers: [.location: "/"]) }
            let (user, sessions, workshops) = try await pool.withCatalogue(as: caller.role) {
                (try $0.whoami(), try $0.liveSessions(), try $0.list(mine: true))
            }
            return PageRoutes.page(Page.html(title: "Instructor", csrf: caller.csrfToken, user: user.handle,
                                             body: InstructorPage.body(sessions: sessions, workshops: workshops,
                                                                       steps: await labs.currentStepTitles(of: sessions.map(\.id)))))
        }
        router.on(.get, "/instructor/stats/:owner/:slug") { _, context in
            guard let caller = context.caller else { return Response(status: .seeOther, headers: [.location: "/"]) }
            let stats = try await statistics(context, caller)
            let user = try await pool.withCatalogue(as: caller.role) { try $0.whoami() }
            return PageRoutes.page(Page.html(title: "Statistics", csrf: caller.csrfToken, user: user.handle,
                                             body: InstructorPage.statistics(stats)))
        }
    }

    private func statistics(_ context: PortalContext, _ caller: Caller) async throws -> WorkshopStats {
        let owner = try context.parameter("owner"), slug = try context.parameter("slug")
        guard let address = WorkshopAddress("\(owner)/\(slug)") else { throw PortalError.notFound("no workshop \(owner)/\(slug)") }
        return try await pool.withCatalogue(as: caller.role) { try $0.stats(address) }
    }

    func json(_ session: LiveSession, step: String?) -> [String: Any] {
        return ["id": session.id, "learner": session.learner, "workshop": session.workshop, "event": session.event ?? NSNull(),
                "score": session.score, "started_at": session.startedAt, "expires_at": session.expiresAt,
                "last_activity": session.lastActivity ?? NSNull(), "step": step ?? NSNull()]
    }

    func statsJSON(_ stats: WorkshopStats) -> [String: Any] {
        ["workshop": stats.address.description, "sessions_started": stats.sessionsStarted, "sessions_completed": stats.sessionsCompleted,
         "sessions_verified": stats.sessionsVerified,
         "challenges": stats.challenges.map { challenge -> [String: Any] in
             ["id": challenge.id, "grading": challenge.grading, "sessions": challenge.sessions, "passed": challenge.passed,
              "attempts": challenge.attempts, "pass_rate": challenge.passRate,
              "median_seconds_to_pass": challenge.medianSecondsToPass.map { $0 as Any } ?? NSNull()]
         }]
    }
}
