import Foundation
import Markdown
@testable import Portal
import Testing

/// The portal on a real server and a real catalogue: who may call what, cookies, CSRF, Origin, headers,
/// revocation. No session starts here (the backend refuses everything).
@Suite(.serialized) struct PortalSecurityTests {
    @Test func unauthenticatedCallsAnswer401AndSomeoneElsesIdsAnswer404() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("alice")
            let anonymous = portal.client()
            for path in ["/api/workshops", "/api/sessions", "/api/me", "/api/sessions/\(UUID().uuidString)"] {
                let reply = try await anonymous.send(.GET, path)
                #expect(reply.status == 401, "\(path): \(reply.body)")
                #expect(reply.errorMessage.contains("log in first"), "\(reply.body)")
            }
            let alice = portal.client()
            #expect(try await alice.login("alice").status == 200)
            #expect(try await alice.send(.GET, "/api/sessions/\(UUID().uuidString)").status == 404)
            #expect(try await alice.send(.GET, "/api/sessions/not-a-uuid").status == 404)
            #expect(try await alice.send(.POST, "/api/sessions/\(UUID().uuidString)/check", json: [:]).status == 404)
        }
    }

    @Test func loginSetsAHardenedCookieAndLogoutRevokesIt() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("alice")
            let client = portal.client()
            let wrong = try await client.login("alice", password: "nope")
            #expect(wrong.status == 401)
            #expect(wrong.headers["Set-Cookie"].isEmpty)
            let reply = try await client.login("alice")
            #expect(reply.status == 200)
            let cookie = try #require(reply.headers["Set-Cookie"].first)
            #expect(cookie.hasPrefix("nalabo_session=nls_"))
            #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Path=/"))
            #expect(!cookie.contains("Secure"), "http public URL: no Secure flag")
            // The cookie's secret is 256 random bits (base64url), and the database keeps only its hash.
            let value = try #require(client.cookie?.split(separator: "=").last)
            #expect(value.count >= 4 + 43)
            let stored = try portal.cluster.superuserConnection().execute("SELECT encode(token_hash, 'hex') FROM nalabo.web_sessions")
            #expect(stored.rows.count == 1 && !(stored.scalar ?? "").contains(String(value)))

            let me = try await client.send(.GET, "/api/me")
            #expect(me.status == 200 && me.json["handle"] as? String == "alice", "\(me.body)")
            #expect(try await client.send(.POST, "/api/logout").status == 200)
            #expect(try await client.send(.GET, "/api/me").status == 401, "the same cookie after logout")
        }
    }

    @Test func stateChangingRequestsNeedTheCSRFTokenAndTheOwnOrigin() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("alice")
            let client = portal.client()
            try await client.login("alice")
            let withoutToken = try await client.send(.POST, "/api/sessions", json: ["workshop": "alice/x"], csrf: false)
            #expect(withoutToken.status == 403 && withoutToken.errorMessage.contains("CSRF"), "\(withoutToken.body)")
            let wrongToken = try await client.send(.POST, "/api/sessions", json: ["workshop": "alice/x"], csrf: false,
                                                   headers: [("X-CSRF-Token", String(repeating: "0", count: 64))])
            #expect(wrongToken.status == 403)
            let otherSite = try await client.send(.POST, "/api/sessions", json: ["workshop": "alice/x"], headers: [("Origin", "http://evil.example")])
            #expect(otherSite.status == 403 && otherSite.errorMessage.contains("not accepted"), "\(otherSite.body)")
            // Login CSRF: a form on another site cannot log the browser in.
            let foreignLogin = portal.client()
            foreignLogin.origin = "http://evil.example"
            #expect(try await foreignLogin.login("alice").status == 403)
            // With the token and its own origin the request reaches the handler (an unknown workshop: 404).
            let allowed = try await client.send(.POST, "/api/sessions", json: ["workshop": "alice/missing"])
            #expect(allowed.status == 404, "\(allowed.body)")
        }
    }

    @Test func everyResponseCarriesAStrictContentSecurityPolicy() async throws {
        try await PortalHarness.with() { portal in
            for path in ["/", "/api/workshops", "/assets/portal.js"] {
                let reply = try await portal.client().send(.GET, path)
                let policy = reply.headers["Content-Security-Policy"].first ?? ""
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"),
                        "\(path): \(policy)")
                #expect(reply.headers["X-Content-Type-Options"].first == "nosniff")
            }
            let home = try await portal.client().send(.GET, "/")
            #expect(home.body.contains("<form id=\"login\""))
            #expect(!home.body.contains("<script>"), "no inline script")
        }
    }

    @Test func loginsAreThrottledPerAccount() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("alice")
            for _ in 0..<5 { #expect(try await portal.client().login("alice", password: "wrong").status == 401) }
            let throttled = try await portal.client().login("alice")
            #expect(throttled.status == 429, "the right password, after 5 failures: \(throttled.body)")
            #expect(throttled.headers["Retry-After"].first == "900")
        }
    }

    @Test func aDisabledUsersWebSessionsAndARevokedTokenStopAtOnce() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("alice")
            try portal.learner("bob")
            let alice = portal.client()
            try await alice.login("alice")
            #expect(try await alice.send(.GET, "/api/me").status == 200)
            try portal.cluster.asOwner().setDisabled("alice", true)
            #expect(try await alice.send(.GET, "/api/me").status == 401)

            let (id, token) = try portal.cluster.as("bob").createToken(name: "ci", scopes: [.read, .sessions], days: 1)
            let script = portal.client()
            script.origin = nil
            script.bearer = token.text
            #expect(try await script.send(.GET, "/api/workshops").status == 200)
            // A token needs no CSRF token: it is no ambient credential.
            #expect(try await script.send(.POST, "/api/sessions", json: ["workshop": "bob/missing"]).status == 404)
            try portal.cluster.as("bob").revokeToken(id)
            #expect(try await script.send(.GET, "/api/workshops").status == 401)
            let stored = try portal.cluster.superuserConnection().execute("SELECT count(*) FROM nalabo.api_tokens WHERE encode(token_hash, 'escape') LIKE '%nlb_%'")
            #expect(stored.scalar == "0", "only the hash is stored")
        }
    }

    @Test func theRoleOfAUserWhoGainsPowersIsNotTakenOn() async throws {
        try await PortalHarness.with() { portal in
            let role = try portal.learner("dana")
            let browser = portal.client()
            try await browser.login("dana")
            let (_, token) = try portal.cluster.as("dana").createToken(name: "ci", scopes: [.read], days: 1)
            let script = portal.client()
            script.origin = nil
            script.bearer = token.text
            #expect(try await browser.send(.GET, "/api/me").status == 200)
            #expect(try await script.send(.GET, "/api/workshops").status == 200)
            // A role that could bypass row-level security or make roles is never one the portal acts as, checked on
            // every request: a cluster administrator's ALTER ROLE takes effect at once, both ways.
            let superuser = try portal.cluster.superuserConnection()
            for power in ["BYPASSRLS", "CREATEROLE"] {
                try superuser.execute("ALTER ROLE \"\(role)\" \(power)")
                #expect(try await browser.send(.GET, "/api/me").status == 401, "\(power)")
                #expect(try await script.send(.GET, "/api/workshops").status == 401, "\(power)")
                try superuser.execute("ALTER ROLE \"\(role)\" NO\(power)")
                #expect(try await browser.send(.GET, "/api/me").status == 200, "NO\(power)")
                #expect(try await script.send(.GET, "/api/workshops").status == 200, "NO\(power)")
            }
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheServedRoutes() async throws {
        try await PortalHarness.with() { portal in
            let document = try await portal.client().send(.GET, "/api/openapi.json")
            #expect(document.status == 200)
            #expect(document.json["openapi"] as? String == "3.1.0")
            let paths = try #require(document.json["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            let served = Set(portal.server.makeRouter().routes)
            #expect(served == documented, "served, not documented: \(served.subtracting(documented)); documented, not served: \(documented.subtracting(served))")
            for route in ["POST /api/login", "POST /api/logout", "GET /api/workshops", "POST /api/sessions", "GET /api/sessions/{id}",
                          "POST /api/sessions/{id}/check", "POST /api/sessions/{id}/challenges/{challenge}/solve",
                          "POST /api/sessions/{id}/extend", "DELETE /api/sessions/{id}", "GET /api/sessions/{id}/terminal/{container}"] {
                #expect(served.contains(route), "the contract's \(route)")
            }
        }
    }

    /// The admin pages and API follow exactly the rules of `nalabo admin`, because the database applies them.
    @Test func adminsAdministerOnTheWebWithTheRulesOfTheDatabase() async throws {
        try await PortalHarness.with() { portal in
            try portal.learner("bob")
            try portal.learner("carol", role: .admin)
            try portal.learner("eve", role: .superAdmin)
            let bob = portal.client(), carol = portal.client(), eve = portal.client()
            try await bob.login("bob")
            try await carol.login("carol")
            try await eve.login("eve")

            #expect(try await bob.send(.GET, "/admin").status == 403)
            let refused = try await bob.send(.POST, "/api/admin/users", json: ["handle": "mallory", "password": "long enough"])
            #expect(refused.status == 403, "\(refused.body)")
            let seen = try await bob.send(.GET, "/api/admin/users").json["users"] as? [[String: Any]] ?? []
            #expect(seen.map { $0["handle"] as? String } == ["bob"], "row-level security shows a user only themselves")

            let added = try await carol.send(.POST, "/api/admin/users", json: ["handle": "dave", "password": "dave's passphrase"])
            #expect(added.status == 201, "\(added.body)")
            #expect(try await portal.client().login("dave", password: "dave's passphrase").status == 200, "a portal-only account logs in")
            let notSuper = try await carol.send(.POST, "/api/admin/users", json: ["handle": "frank", "password": "long enough", "role": "admin"])
            #expect(notSuper.status == 403, "only super_admins add admins: \(notSuper.body)")
            #expect(try await carol.send(.POST, "/api/admin/users/bob", json: ["role": "admin"]).status == 403)
            #expect(try await carol.send(.POST, "/api/admin/users/bob", json: ["plan": "pro"]).status == 200)
            #expect(try await eve.send(.POST, "/api/admin/users/dave", json: ["role": "admin"]).status == 200)
            let users = try await carol.send(.GET, "/api/admin/users").json["users"] as? [[String: Any]] ?? []
            #expect(users.first { $0["handle"] as? String == "bob" }?["plan"] as? String == "pro")
            #expect(users.first { $0["handle"] as? String == "dave" }?["role"] as? String == "admin")

            let page = try await carol.send(.GET, "/admin")
            #expect(page.status == 200 && page.body.contains("data-user=\"bob\"") && page.body.contains("form class=\"inline\" data-api=\"POST /api/admin/users\""))
            #expect(try await carol.send(.POST, "/api/admin/users/bob", json: ["disabled": true]).status == 200)
            #expect(try await bob.send(.GET, "/api/me").status == 401, "a disabled user's web session stops")

            let (_, token) = try portal.cluster.as("carol").createToken(name: "no admin", scopes: [.sessions], days: 1)
            let script = portal.client()
            script.bearer = token.text
            #expect(try await script.send(.GET, "/api/admin/users").status == 403, "a token needs the admin scope")
        }
    }

    @Test func markdownFromAWorkshopRendersInert() {
        let html = MarkdownHTML.render("""
            # Title

            <script>alert(1)</script>
            <img src=x onerror=alert(2)>
            [click](javascript:alert(3)) and ![x](javascript:alert(4))

            | a | b |
            |---|---|
            | 1 | 2 |

            - [x] done
            """)
        #expect(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "\(html)")
        #expect(html.contains("<table>") && html.contains("<h1>Title</h1>") && html.contains("checkbox"), "\(html)")
        #expect(MarkdownHTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }
}

@Suite struct XtermBundleTests {
    @Test func xtermIsAssembledFromTheInstalledModules() throws {
        let script = try XtermBundle.script()
        #expect(script.contains("factories[\"public/Terminal\"]") && script.contains("window.Terminal = load(\"xterm\")"))
        #expect(!script.contains(".test\"]"), "test modules are left out")
        #expect(throws: XtermBundle.Missing.self) { try XtermBundle.script(from: "/nonexistent") }
    }
}
