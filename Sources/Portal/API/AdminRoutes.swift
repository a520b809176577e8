import Catalogue
import Foundation
import Hummingbird
import Markdown
import WorkshopSpec

/// The web face of `nalabo admin`: users (add with a password, plan, role, disable), workshop versions
/// (yank, unyank), every running session, and events — with exactly the same rules, because the database
/// applies them to the caller's role (only a super_admin changes roles). Tokens need the `admin` scope.
struct AdminRoutes {
    let labs: LabSessions
    let pool: ConnectionPool

    struct NewUser: Decodable {
        var handle: String
        var password: String
        var role: String?
        var plan: String?
    }

    struct UserChange: Decodable {
        var plan: String?
        var role: String?
        var disabled: Bool?
    }

    struct Yank: Decodable {
        var undo: Bool?
    }

    struct NewEvent: Decodable {
        var name: String
        var title: String?
        var workshops: [String]
        var capacity: Int
        var perLearner: Int?
        var expires: String?
        var deadline: String?
        var orphaned: String?
        var accessCode: String?
        var registration: String?

        enum CodingKeys: String, CodingKey {
            case name, title, workshops, capacity, expires, deadline, orphaned, registration
            case perLearner = "per_learner", accessCode = "access_code"
        }
    }

    func register(on router: PortalRouter) {
        router.on(.get, "/api/admin/users") { _, context in
            let users = try await admin(context) { try $0.users() }
            return JSONText.response(JSONText.object(["users": users.map {
                ["handle": $0.handle, "db_role": $0.databaseRole, "role": $0.role.rawValue, "plan": $0.plan, "disabled": $0.disabled]
            }]))
        }
        router.on(.post, "/api/admin/users") { request, context in
            let body = try await decodeBody(NewUser.self, from: request)
            let role = try Self.role(body.role ?? "user")
            try await admin(context) { try $0.addPortalUser(handle: body.handle, password: body.password, role: role, plan: body.plan ?? Plan.free.id) }
            return JSONText.response(JSONText.object(["handle": body.handle, "role": role.rawValue]), status: .created)
        }
        router.on(.post, "/api/admin/users/:handle") { request, context in
            let handle = try context.parameter("handle")
            let body = try await decodeBody(UserChange.self, from: request)
            let role = try body.role.map(Self.role)
            try await admin(context) { catalogue in
                if let plan = body.plan { try catalogue.setPlan(handle, to: plan) }
                if let role { try catalogue.setRole(handle, to: role) }
                if let disabled = body.disabled { try catalogue.setDisabled(handle, disabled) }
            }
            return JSONText.response(JSONText.object(["handle": handle, "changed": true]))
        }
        router.on(.get, "/api/admin/workshops") { _, context in
            let versions = try await admin(context) { try $0.allVersions() }
            return JSONText.response(JSONText.object(["versions": versions.map {
                ["address": "\($0.owner)/\($0.slug)@\($0.version)", "title": $0.title, "published_at": $0.publishedAt, "yanked": $0.yanked]
            }]))
        }
        router.on(.post, "/api/admin/workshops/:owner/:slug/:version/yank") { request, context in
            let text = "\(try context.parameter("owner"))/\(try context.parameter("slug"))@\(try context.parameter("version"))"
            guard let address = WorkshopAddress(text) else { throw PortalError.notFound("no workshop version \(text)") }
            let undo = try await decodeBody(Yank.self, from: request).undo ?? false
            try await admin(context) { try $0.yank(address, undo: undo) }
            return JSONText.response(JSONText.object(["address": text, "yanked": !undo]))
        }
        router.on(.get, "/api/admin/sessions") { _, context in
            let sessions = try await admin(context) { try $0.liveSessions(all: true) }
            let instructor = InstructorRoutes(labs: labs, pool: pool)
            let steps = await labs.currentStepTitles(of: sessions.map(\.id))
            return JSONText.response(JSONText.object(["sessions": sessions.map { instructor.json($0, step: steps[$0.id]) }]))
        }
        router.on(.post, "/api/admin/events") { request, context in
            let body = try await decodeBody(NewEvent.self, from: request)
            var definition = EventDefinition(name: body.name, workshops: body.workshops, capacity: body.capacity)
            definition.title = body.title
            definition.perLearner = body.perLearner ?? 1
            definition.sessionSeconds = try body.expires.map { try Self.seconds($0, "expires") }
            definition.deadlineSeconds = try body.deadline.map { try Self.seconds($0, "deadline") }
            definition.orphanSeconds = try body.orphaned.map { try Self.seconds($0, "orphaned") }
            definition.accessCode = body.accessCode.flatMap { $0.isEmpty ? nil : $0 }
            if let registration = body.registration {
                guard let kind = EventRecord.Registration(rawValue: registration) else {
                    throw PortalError.badRequest("registration is accounts or anonymous, not \(registration)")
                }
                definition.registration = kind
            }
            let event = definition
            try await admin(context) { try $0.createEvent(event) }
            return JSONText.response(JSONText.object(["name": body.name]), status: .created)
        }
        router.on(.post, "/api/admin/events/:name/close") { _, context in
            let name = try context.parameter("name")
            try await admin(context) { try $0.closeEvent(name) }
            return JSONText.response(JSONText.object(["name": name, "closed": true]))
        }
        router.on(.get, "/admin") { _, context in
            guard let caller = context.caller else { return Response(status: .seeOther, headers: [.location: "/"]) }
            let page = try await pool.withCatalogue(as: caller.role) { catalogue in
                (try catalogue.whoami(), try catalogue.users(), try catalogue.allVersions(), try catalogue.liveSessions(all: true),
                 try catalogue.events())
            }
            guard page.0.role != .user else { throw PortalError.forbidden("the admin pages are for admins") }
            return PageRoutes.page(Page.html(title: "Admin", csrf: caller.csrfToken, user: page.0.handle,
                                             body: AdminPage.body(me: page.0, users: page.1, versions: page.2, sessions: page.3, events: page.4)))
        }
    }

    /// Runs an admin operation as the caller; a token needs the `admin` scope. The database decides the rest.
    private func admin<T: Sendable>(_ context: PortalContext, _ body: @escaping @Sendable (Catalogue) throws -> T) async throws -> T {
        let caller = try context.requireCaller()
        guard caller.allows(.admin) else { throw PortalError.forbidden("the token lacks the admin scope") }
        return try await pool.withCatalogue(as: caller.role, body)
    }

    static func role(_ text: String) throws -> UserRole {
        guard let role = UserRole(rawValue: text) else { throw PortalError.badRequest("a role is user, admin or super_admin, not \(text)") }
        return role
    }

    static func seconds(_ text: String, _ field: String) throws -> Int {
        guard let duration = SpecDuration(text) else { throw PortalError.badRequest("\(field) is \(text); write a duration such as 45m") }
        return duration.seconds
    }
}
