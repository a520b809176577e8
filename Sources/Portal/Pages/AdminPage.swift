import Catalogue
import Markdown

/// The admin page: users, workshop versions, running sessions and events, each with the changes an admin may
/// make. Its forms and buttons call the admin API (portal.js); the database decides what is allowed.
enum AdminPage {
    static func body(me: CatalogueUser, users: [CatalogueUser], versions: [PublishedVersionSummary], sessions: [LiveSession],
                     events: [EventRecord]) -> String {
        let e = MarkdownHTML.escape
        func button(_ label: String, _ method: String, _ path: String, _ body: String, danger: Bool = false) -> String {
            "<button type=\"button\" class=\"\(danger ? "danger" : "secondary")\" data-action=\"admin\" data-method=\"\(method)\" "
                + "data-path=\"\(e(path))\" data-body=\"\(e(body))\">\(e(label))</button>"
        }
        let roles = me.role == .superAdmin ? ["user", "admin", "super_admin"] : ["user"]
        var html = "<h1>Admin</h1>"

        html += "<section class=\"card wide\" id=\"users\"><h2>Users</h2><table><thead><tr><th>Handle</th><th>PostgreSQL role</th>"
            + "<th>Role</th><th>Plan</th><th>Status</th><th></th></tr></thead><tbody>"
        for user in users {
            let path = "/api/admin/users/\(user.handle)"
            var actions = ["free", "pro", "team"].filter { $0 != user.plan }.map { button("Plan \($0)", "POST", path, "{\"plan\":\"\($0)\"}") }
            if me.role == .superAdmin, user.handle != me.handle {
                actions += ["user", "admin", "super_admin"].filter { $0 != user.role.rawValue }.map { button("Make \($0)", "POST", path, "{\"role\":\"\($0)\"}") }
            }
            actions.append(user.disabled ? button("Enable", "POST", path, "{\"disabled\":false}")
                                         : button("Disable", "POST", path, "{\"disabled\":true}", danger: true))
            html += "<tr data-user=\"\(e(user.handle))\"><td>\(e(user.handle))</td><td><code>\(e(user.databaseRole))</code></td>"
                + "<td>\(e(user.role.rawValue))</td><td>\(e(user.plan))</td><td>\(user.disabled ? "disabled" : "active")</td>"
                + "<td class=\"actions\">\(actions.joined(separator: " "))</td></tr>"
        }
        html += "</tbody></table>"
        html += """
        <form class="inline" data-api="POST /api/admin/users"><h3>Add a portal account</h3>
        <label>Handle <input name="handle" required pattern="[a-z0-9][-a-z0-9]*"></label>
        <label>Password <input name="password" type="password" autocomplete="new-password" required minlength="8"></label>
        <label>Role <select name="role">\(roles.map { "<option>\($0)</option>" }.joined())</select></label>
        <label>Plan <select name="plan"><option>free</option><option>pro</option><option>team</option></select></label>
        <button type="submit">Add</button></form></section>
        """

        html += "<section class=\"card wide\" id=\"workshops\"><h2>Workshop versions</h2><table><thead><tr><th>Version</th><th>Title</th>"
            + "<th>Published</th><th>Status</th><th></th></tr></thead><tbody>"
        for version in versions {
            let address = "\(version.owner)/\(version.slug)@\(version.version)"
            let path = "/api/admin/workshops/\(version.owner)/\(version.slug)/\(version.version)/yank"
            html += "<tr data-version=\"\(e(address))\"><td><code>\(e(address))</code></td><td>\(e(version.title))</td>"
                + "<td>\(e(version.publishedAt))</td><td>\(version.yanked ? "yanked" : "published")</td><td>"
                + (version.yanked ? button("Unyank", "POST", path, "{\"undo\":true}") : button("Yank", "POST", path, "{}", danger: true))
                + "</td></tr>"
        }
        html += "</tbody></table></section>"

        html += "<section class=\"card wide\" id=\"sessions\"><h2>Running sessions</h2>"
        if sessions.isEmpty {
            html += "<p>None.</p>"
        } else {
            html += "<table><thead><tr><th>Learner</th><th>Workshop</th><th>Event</th><th>Score</th><th>Until</th><th></th></tr></thead><tbody>"
            for session in sessions {
                html += "<tr data-session=\"\(e(session.id))\"><td>\(e(session.learner))</td><td><code>\(e(session.workshop))</code></td>"
                    + "<td>\(e(session.event ?? "—"))</td><td>\(session.score)</td><td>\(e(session.expiresAt))</td>"
                    + "<td><button type=\"button\" class=\"danger\" data-action=\"stop\" data-session=\"\(e(session.id))\">End</button></td></tr>"
            }
            html += "</tbody></table>"
        }
        html += "</section>"

        html += "<section class=\"card wide\" id=\"events\"><h2>Events</h2><table><thead><tr><th>Event</th><th>Workshops</th>"
            + "<th>Running</th><th>Registration</th><th>Status</th><th></th></tr></thead><tbody>"
        for event in events {
            html += "<tr data-event=\"\(e(event.name))\"><td><a href=\"/events/\(e(event.name))\">\(e(event.title))</a></td>"
                + "<td>\(event.workshops.map { "<code>\(e($0))</code>" }.joined(separator: " "))</td>"
                + "<td>\(event.running)/\(event.capacity)</td><td>\(e(event.registration.rawValue))\(event.hasAccessCode ? ", code" : "")</td>"
                + "<td>\(event.closed ? "closed" : "open")</td><td>"
                + (event.closed ? "" : button("Close", "POST", "/api/admin/events/\(event.name)/close", "{}", danger: true)) + "</td></tr>"
        }
        html += """
        </tbody></table>
        <form class="inline" data-api="POST /api/admin/events"><h3>New event</h3>
        <label>Name <input name="name" required pattern="[a-z0-9][-a-z0-9]*"></label>
        <label>Title <input name="title"></label>
        <label>Workshops <input name="workshops" required placeholder="owner/slug, owner/slug@1.0.0"></label>
        <label>Capacity <input name="capacity" type="number" min="1" value="30" required></label>
        <label>Length <input name="expires" placeholder="45m"></label>
        <label>Deadline <input name="deadline" placeholder="90m"></label>
        <label>Orphaned after <input name="orphaned" placeholder="10m"></label>
        <label>Access code <input name="access_code" autocomplete="off"></label>
        <label>Registration <select name="registration"><option>accounts</option><option>anonymous</option></select></label>
        <button type="submit">Create</button></form></section>
        """
        return html
    }
}
