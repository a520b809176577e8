import Foundation
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// The port proxy on the real Docker engine: a lab's published port, served on the proxy's own origin for the
/// session's learner only, without the portal's cookie reaching the application or the application setting it.
@Suite(.serialized) struct PortalProxyTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: web, title: Web, version: 1.0.0}
        environment:
          network: isolated
          containers:
            - name: box
              image: nalabo/busybox:test
              shell: /bin/sh
              ports: [8000]
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
          setup:
            - container: box
              script: serve.sh
        limits: {session: 30m}
        steps:
          - id: only
            title: Only
            content: Open the page.
            challenges:
              - id: page
                title: Page
                checks: [{run: test -f /tmp/www/index.html, points: 1}]
        """

    /// busybox httpd with a page and two CGI programs: one tells what the application received (and tries to set
    /// the portal's cookie), one redirects to an absolute path.
    static let serve = #"""
        #!/bin/sh
        set -e
        mkdir -p /tmp/www/cgi-bin
        echo '<h1>hello from the lab</h1>' > /tmp/www/index.html
        cat > /tmp/www/cgi-bin/echo <<'CGI'
        #!/bin/sh
        printf 'Content-Type: text/plain\r\nSet-Cookie: nalabo_session=planted; Path=/\r\nSet-Cookie: app=1; Path=/\r\n\r\n'
        echo "cookie=$HTTP_COOKIE"
        echo "prefix=$HTTP_X_FORWARDED_PREFIX"
        echo "method=$REQUEST_METHOD query=$QUERY_STRING"
        [ "$REQUEST_METHOD" = POST ] && head -c "$CONTENT_LENGTH" && echo
        exit 0
        CGI
        printf '#!/bin/sh\nprintf "Status: 302 Found\\r\\nLocation: /index.html\\r\\n\\r\\n"\n' > /tmp/www/cgi-bin/away
        chmod 0755 /tmp/www/cgi-bin/echo /tmp/www/cgi-bin/away
        busybox httpd -p 8000 -h /tmp/www
        """#

    static func publish(_ portal: PortalHarness) throws {
        try portal.cluster.user("alice", plan: "pro")
        let files = try TemporaryDirectory()
        try files.write("web/workshop.yaml", spec)
        try files.write("web/serve.sh", serve)
        let loaded = SpecLoader(plan: nil).load(path: files.path + "/web/workshop.yaml")
        _ = try portal.cluster.as("alice").publish(try #require(loaded.workshop, "\(loaded.diagnostics)"))
    }

    @Test func aPublishedPortIsServedToItsLearnerOnlyOnTheProxysOrigin() async throws {
        try await PortalHarness.with(backend: try await DockerBackend.connect()) { portal in
            try Self.publish(portal)
            try portal.learner("bob")
            try portal.learner("carol")
            let bob = portal.client()
            try await bob.login("bob")
            let started = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/web"])
            let id = try #require(started.json["id"] as? String, "\(started.body)")

            // The lab page's link goes through the portal to the proxy.
            let link = try await bob.send(.GET, "/sessions/\(id)/ports/8000")
            #expect(link.status == 303 && link.headers["Location"].first == "\(portal.proxyBase)/sessions/\(id)/ports/8000/", "\(link.headers)")

            // Bob's browser on the proxy's origin: the same cookie (browsers send it to every port of the host).
            let proxied = PortalClient(base: portal.proxyBase, origin: portal.proxyBase)
            proxied.cookie = bob.cookie
            let page = try await proxied.send(.GET, "/sessions/\(id)/ports/8000/")
            #expect(page.status == 200 && page.body.contains("hello from the lab"), "\(page.status) \(page.body)")
            let bare = try await proxied.send(.GET, "/sessions/\(id)/ports/8000")
            #expect(bare.status == 308 && bare.headers["Location"].first == "/sessions/\(id)/ports/8000/")

            // What the application gets: no portal cookie, its own cookies kept, where it is mounted; and what
            // comes back: its cookie, never one named like the portal's.
            proxied.cookie = (bob.cookie ?? "") + "; app=1"
            let echo = try await proxied.send(.GET, "/sessions/\(id)/ports/8000/cgi-bin/echo?x=1")
            #expect(echo.status == 200, "\(echo.body)")
            #expect(echo.body.contains("cookie=app=1\n") && !echo.body.contains("nalabo_session"), "\(echo.body)")
            #expect(echo.body.contains("prefix=/sessions/\(id)/ports/8000") && echo.body.contains("method=GET query=x=1"), "\(echo.body)")
            let setCookies = echo.headers["Set-Cookie"]
            #expect(setCookies.contains { $0.hasPrefix("app=1") } && !setCookies.contains { $0.hasPrefix("nalabo_session") }, "\(setCookies)")

            // A form of the application posts back from the proxy's origin, without the portal's CSRF token.
            let posted = try await proxied.send(.POST, "/sessions/\(id)/ports/8000/cgi-bin/echo", json: ["k": "v"], csrf: false)
            #expect(posted.status == 200 && posted.body.contains("method=POST") && posted.body.contains(#"{"k":"v"}"#), "\(posted.body)")
            // ... but not from the portal's origin or another site: the proxy accepts its own origin only.
            for origin in [portal.origin, "http://evil.example"] {
                let forged = try await proxied.send(.POST, "/sessions/\(id)/ports/8000/cgi-bin/echo", json: ["k": "v"],
                                                    headers: [("Origin", origin)])
                #expect(forged.status == 403, "\(origin): \(forged.status)")
            }
            // A redirect to an absolute path stays under the session's prefix.
            let away = try await proxied.send(.GET, "/sessions/\(id)/ports/8000/cgi-bin/away")
            #expect(away.status == 302 && away.headers["Location"].first == "/sessions/\(id)/ports/8000/index.html", "\(away.headers)")

            // Nobody else: no cookie 401; carol 404 (on the proxy and on the portal's link); a port not published 404.
            let anonymous = PortalClient(base: portal.proxyBase, origin: portal.proxyBase)
            #expect(try await anonymous.send(.GET, "/sessions/\(id)/ports/8000/").status == 401)
            let carol = portal.client()
            try await carol.login("carol")
            let carolProxied = PortalClient(base: portal.proxyBase, origin: portal.proxyBase)
            carolProxied.cookie = carol.cookie
            let stolen = try await carolProxied.send(.GET, "/sessions/\(id)/ports/8000/")
            #expect(stolen.status == 404 && !stolen.body.contains("hello"), "\(stolen.body)")
            #expect(try await carol.send(.GET, "/sessions/\(id)/ports/8000").status == 404)
            #expect(try await proxied.send(.GET, "/sessions/\(id)/ports/9000/").status == 404)
            // The portal's own answers on the proxy carry its strict policy; the application's keep theirs.
            #expect(stolen.headers["Content-Security-Policy"].first == SecurityHeadersMiddleware.contentSecurityPolicy)
            #expect(page.headers["Content-Security-Policy"].isEmpty)

            let ended = try await bob.send(.DELETE, "/api/sessions/\(id)")
            #expect(ended.status == 200, "\(ended.body)")
            #expect(try await proxied.send(.GET, "/sessions/\(id)/ports/8000/").status == 404)
        }
    }
}
