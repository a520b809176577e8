import Catalogue
import Foundation
import Hummingbird
import Markdown
import Runtime
import WorkshopSpec

/// The server-rendered pages: home (log in, events, workshops, your sessions), an event's page and the lab
/// page of a session. Each is built from the same calls as the API, as the caller.
struct PageRoutes {
    let labs: LabSessions
    let pool: ConnectionPool
    /// The port proxy's public URL, when there is one.
    let proxyURL: URL?
    private let e = MarkdownHTML.escape

    init(labs: LabSessions, pool: ConnectionPool, proxyURL: URL? = nil) {
        self.labs = labs
        self.pool = pool
        self.proxyURL = proxyURL
    }

    func register(on router: PortalRouter) {
        router.on(.get, "/") { _, context in
            guard let caller = context.caller else {
                return Self.page(Page.html(title: "Log in", csrf: nil, user: nil, body: Page.loginForm()))
            }
            let (user, events, workshops, sessions) = try await pool.withCatalogue(as: caller.role) { catalogue in
                (try catalogue.whoami(), try catalogue.events(), try catalogue.list(), try catalogue.sessions(limit: 20))
            }
            let mine = sessions.filter { $0.learner == user.handle && $0.status == "active" }
            var body = "<h1>Welcome, \(e(user.handle))</h1>"
            if !mine.isEmpty {
                body += "<section class=\"card\"><h2>Your sessions</h2><ul>" + mine.map {
                    "<li><a href=\"/sessions/\(e($0.id))\">\(e($0.workshop))</a> — until \(e($0.expiresAt))</li>"
                }.joined() + "</ul></section>"
            }
            let open = events.filter { !$0.closed }
            if !open.isEmpty {
                body += "<section class=\"card\"><h2>Events</h2><ul>" + open.map {
                    "<li><a href=\"/events/\(e($0.name))\">\(e($0.title))</a> (\($0.running)/\($0.capacity) running)</li>"
                }.joined() + "</ul></section>"
            }
            body += "<section class=\"card\"><h2>Workshops</h2><ul class=\"workshops\">" + workshops.map { listing in
                let address = "\(listing.owner)/\(listing.slug)@\(listing.version)"
                return "<li><strong>\(e(listing.title))</strong> <code>\(e(address))</code> "
                    + "<button type=\"button\" data-action=\"start\" data-workshop=\"\(e(address))\">Start</button></li>"
            }.joined() + "</ul></section>"
            return Self.page(Page.html(title: "Home", csrf: caller.csrfToken, user: user.handle, body: body))
        }

        router.on(.get, "/events/:name") { _, context in
            let name = try context.parameter("name")
            guard let caller = context.caller else {
                let event = try await pool.withCatalogue(as: Catalogue.authenticatorRole) { try $0.publicEvent(name) }
                guard let event else { throw PortalError.notFound("no event \(name)") }
                let code = event.hasAccessCode ? "<label>Access code <input name=\"code\" autocomplete=\"off\" required></label>" : ""
                let form = event.registration == .anonymous
                    ? """
                      <form id="guest" class="card" data-event="\(e(name))"><h2>\(e(event.title))</h2>
                      <label>Your name <input name="name" maxlength="60" required></label>\(code)
                      <button type="submit">Join</button></form>
                      """
                    : Page.loginForm(event: name)
                return Self.page(Page.html(title: event.title, csrf: nil, user: nil, body: form))
            }
            let (user, events) = try await pool.withCatalogue(as: caller.role) { (try $0.whoami(), try $0.events(named: name)) }
            guard let event = events.first else { throw PortalError.notFound("no event \(name)") }
            let code = event.hasAccessCode ? "<label>Access code <input id=\"access-code\" autocomplete=\"off\"></label>" : ""
            let body = "<h1>\(e(event.title))</h1><p>\(event.running) of \(event.capacity) sessions running.</p>\(code)"
                + "<ul class=\"workshops\">" + event.workshops.map { address in
                    "<li><code>\(e(address))</code> <button type=\"button\" data-action=\"start\" data-workshop=\"\(e(address))\" data-event=\"\(e(name))\">Start</button></li>"
                }.joined() + "</ul>"
            return Self.page(Page.html(title: event.title, csrf: caller.csrfToken, user: user.handle, body: body))
        }

        router.on(.get, "/sessions/:id") { _, context in
            guard let caller = context.caller else {
                return Response(status: .seeOther, headers: [.location: "/"])
            }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            await labs.touch(owned.catalogueID, as: caller.role)
            let user = try await pool.withCatalogue(as: caller.role) { try $0.whoami() }
            return Self.page(Page.html(title: owned.workshop.metadata.title, csrf: caller.csrfToken, user: user.handle,
                                       body: LabPage.body(owned, proxied: proxyURL != nil), scripts: ["xterm"]))
        }

        // A published port: on to the port proxy, which serves it on an origin of its own.
        router.on(.get, "/sessions/:id/ports/:port") { [proxyURL] _, context in
            guard let caller = context.caller else { return Response(status: .seeOther, headers: [.location: "/"]) }
            let owned = try await labs.owned(try context.parameter("id"), as: caller.role)
            guard let port = Int(try context.parameter("port")), owned.record.containers.contains(where: { $0.ports.contains { $0.port == port } }) else {
                throw PortalError.notFound("this session publishes no such port")
            }
            guard let proxyURL else {
                throw PortalError(status: .notFound, message: "this portal has no port proxy (nalabo serve --proxy-listen)")
            }
            var base = proxyURL.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            let target = base + "/sessions/\(owned.catalogueID)/ports/\(port)/"
            return Response(status: .seeOther, headers: [.location: target])
        }
    }

    static func page(_ html: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
