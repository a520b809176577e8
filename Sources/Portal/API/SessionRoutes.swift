import Catalogue
import Foundation
import Hummingbird
import NIOPosix
import LabService
import Runtime
import WorkshopSpec

/// The lab-session API: start, show, grade, solve, extend and end a session of one's own. Every route asks
/// the database, as the caller, whether the session is theirs before anything else (404 otherwise).
struct SessionRoutes {
    let labs: LabSessions
    let pool: ConnectionPool

    struct Start: Decodable {
        /// `OWNER/SLUG[@VERSION]`.
        var workshop: String
        /// The event it runs in, whose capacity, caps and length apply.
        var event: String?
        /// The event's access code, when it has one.
        var code: String?
    }

    struct CheckRequest: Decodable {
        var challenges: [String]?
    }

    /// `POST /api/sessions/{id}/next`'s optional body: the step (from 1) the learner is leaving.
    struct NextRequest: Decodable {
        var from: Int?
    }

    func register(on router: PortalRouter) {
        router.on(.get, "/api/workshops") { _, context in
            let caller = try context.requireCaller()
            let listings = try await pool.withCatalogue(as: caller.role) { try $0.list() }
            return JSONText.response(JSONText.object(["workshops": listings.map { listing -> [String: Any] in
                ["address": "\(listing.owner)/\(listing.slug)@\(listing.version)", "owner": listing.owner, "slug": listing.slug,
                 "version": listing.version, "title": listing.title, "summary": listing.summary ?? NSNull(), "tags": listing.tags]
            }]))
        }
        router.on(.get, "/api/events") { _, context in
            let caller = try context.requireCaller()
            let events = try await pool.withCatalogue(as: caller.role) { try $0.events() }
            return JSONText.response(JSONText.object(["events": events.map(Self.json)]))
        }
        router.on(.get, "/api/sessions") { _, context in
            let caller = try context.requireCaller()
            let sessions = try await pool.withCatalogue(as: caller.role) { try $0.sessions(limit: 100) }
            return JSONText.response(JSONText.object(["sessions": sessions.map { session -> [String: Any] in
                ["id": session.id, "learner": session.learner, "workshop": session.workshop, "status": session.status,
                 "score": session.score, "started_at": session.startedAt, "expires_at": session.expiresAt]
            }]))
        }
        router.on(.post, "/api/sessions") { request, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let body = try await decodeBody(Start.self, from: request)
            return try await start(body, caller: caller)
        }
        router.on(.get, "/api/sessions/:id") { _, context in
            let caller = try context.requireCaller()
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            return JSONText.response(JSONText.object(Self.json(owned)))
        }
        router.on(.post, "/api/sessions/:id/check") { request, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            let body = try await decodeBody(CheckRequest.self, from: request)
            let backend = try await labs.backend(for: owned.record)
            let report = try await labs.withService(as: caller.role, backend: backend) { service in
                try await service.check(owned.record, workshop: owned.workshop, requested: body.challenges ?? []).report
            }
            var public_ = report
            public_.session = owned.catalogueID
            return JSONText.response(JSONText.encode(public_))
        }
        router.on(.post, "/api/sessions/:id/challenges/:challenge/solve") { _, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            let challenge = try context.parameter("challenge")
            let backend = try await labs.backend(for: owned.record)
            let outcome = try await labs.withService(as: caller.role, backend: backend) { service in
                try await service.solve(owned.record, workshop: owned.workshop, challenge: challenge).outcome
            }
            let status: HTTPResponse.Status = outcome.succeeded ? .ok : .unprocessableContent
            return JSONText.response(JSONText.object([
                "challenge": challenge, "solved": outcome.succeeded, "exit_code": outcome.exitCode.map { $0 as Any } ?? NSNull(),
                "timed_out": outcome.timedOut,
                "output": String(decoding: outcome.stdout.bytes.suffix(4096), as: UTF8.self),
                "errors": String(decoding: outcome.stderr.bytes.suffix(4096), as: UTF8.self),
            ]), status: status)
        }
        router.on(.post, "/api/sessions/:id/next") { request, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            // The body is optional; without one the learner moves on from wherever they are.
            let from = request.headers[.contentType] == nil ? nil : try await decodeBody(NextRequest.self, from: request).from
            if let from, from < 1 { throw PortalError.badRequest("'from' is a step number, from 1") }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            let backend = try await labs.backend(for: owned.record)
            let record = try await labs.withService(as: caller.role, backend: backend) { service in
                try await service.next(owned.record, workshop: owned.workshop, from: from.map { $0 - 1 })
            }
            let step = SessionLifecycle.currentStep(record, workshop: owned.workshop)
            return JSONText.response(JSONText.object(["id": owned.catalogueID, "step": step + 1,
                                                      "step_id": owned.workshop.steps[step].id]))
        }
        router.on(.post, "/api/sessions/:id/extend") { _, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            let record = try await labs.withService(as: caller.role) { service in try await service.extend(owned.record) }
            return JSONText.response(JSONText.object(["id": owned.catalogueID, "expires_at": Self.timestamp(record.expiresAt)]))
        }
        router.on(.delete, "/api/sessions/:id") { _, context in
            let caller = try context.requireCaller()
            guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            let backend = try await labs.backend(for: owned.record)
            let (problems, warnings) = try await labs.withService(as: caller.role, backend: backend) { service in
                await service.end(owned.record)
            }
            let status = try await pool.withCatalogue(as: caller.role) { try $0.session(owned.catalogueID)?.record.status }
            return JSONText.response(JSONText.object(["id": owned.catalogueID, "status": status ?? "ended",
                                                      "problems": problems, "warnings": warnings]))
        }
    }

    private func start(_ body: Start, caller: Caller) async throws -> Response {
        guard let address = WorkshopAddress(body.workshop), address.owner != nil else {
            throw PortalError.badRequest("'\(body.workshop)' is not a workshop address; write OWNER/SLUG or OWNER/SLUG@VERSION")
        }
        if let event = body.event,
           let codeHash = try await pool.withCatalogue(as: Catalogue.authenticatorRole, { try $0.eventAccessCode(event) }) {
            let given = body.code ?? ""
            guard try await NIOThreadPool.singleton.runIfActive({ PasswordHash.verify(given, against: codeHash) }) else {
                throw PortalError.forbidden("the event \(event) asks for its access code (\"code\")")
            }
        }
        let (event, resolved) = try await pool.withCatalogue(as: caller.role) { catalogue in
            let event = try body.event.map { name in
                guard let event = try catalogue.events(named: name).first else { throw CatalogueError.notFound("no event \(name)") }
                return event
            }
            return (event, try LabService.resolve(address, in: catalogue))
        }
        let (record, catalogueID) = try await labs.withService(as: caller.role) { service in
            var options = SessionProvisioner.Options(source: resolved.source)
            options.secrets = labs.secrets
            let record = try await service.start(resolved, options: options, event: event)
            return (record, record.catalogueSession)
        }
        guard let catalogueID else {
            throw PortalError(status: .internalServerError, message: "the session started without a catalogue record")
        }
        let owned = LabSessions.Owned(catalogueID: catalogueID, record: record,
                                      workshop: try StoredBundle(json: await labs.store.bundle(record.id)).workshop(), event: body.event)
        return JSONText.response(JSONText.object(Self.json(owned)), status: .created)
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func json(_ owned: LabSessions.Owned) -> [String: Any] {
        let record = owned.record
        let score = record.progress.values.reduce(0) { $0 + $1.points }
        return [
            "id": owned.catalogueID,
            "workshop": "\(record.workshop.source)",
            "title": record.workshop.title,
            "status": record.status.rawValue,
            "event": owned.event ?? NSNull(),
            "expires_at": timestamp(record.expiresAt),
            "score": score,
            "max_score": owned.workshop.challenges.reduce(0) { $0 + $1.maxPoints },
            "containers": record.containers.map { ["name": $0.name, "ports": $0.ports.map(\.port)] },
            "steps": owned.workshop.steps.map { step -> [String: Any] in
                ["id": step.id, "title": step.title, "challenges": step.challenges.map { challenge -> [String: Any] in
                    let progress = record.progress[challenge.id]
                    return ["id": challenge.id, "title": challenge.title, "max_points": challenge.maxPoints,
                            "points": progress?.points ?? 0, "complete": progress?.isComplete ?? false,
                            "skipped": progress?.skipped ?? false, "attempts": progress?.attempts ?? 0,
                            "needs": challenge.needs.map(\.value)]
                }]
            },
        ]
    }

    static func json(_ event: EventRecord) -> [String: Any] {
        ["name": event.name, "title": event.title, "capacity": event.capacity, "running": event.running,
         "per_learner": event.perLearner, "registration": event.registration.rawValue, "access_code": event.hasAccessCode,
         "closed": event.closed, "workshops": event.workshops,
         "session_seconds": event.sessionSeconds.map { $0 as Any } ?? NSNull(),
         "deadline_seconds": event.deadlineSeconds.map { $0 as Any } ?? NSNull()]
    }
}
