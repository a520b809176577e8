import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
@testable import Portal
import Runtime
import Testing
import WSClient
import WorkshopSpec

/// A learner's lab through the portal on the real Docker engine and the real catalogue: start within an event,
/// grade, type into the terminal over the WebSocket, solve, extend, end — and another learner gets 404 for
/// every part of it.
@Suite(.serialized) struct PortalLabTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: tiny, title: Tiny, version: 1.0.0}
        environment:
          network: none
          containers:
            - name: box
              image: nalabo/busybox:test
              shell: /bin/sh
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
        limits: {session: 30m}
        steps:
          - id: only
            title: Only
            content: |
              Make two files. <script>alert(1)</script> <img src=x onerror=alert(2)> [here](javascript:alert(3))
            challenges:
              - id: first
                title: First file
                hints: [Use touch.]
                checks: [{run: test -f /tmp/first, points: 4, fail_message: /tmp/first is missing}]
                solve: {run: touch /tmp/first}
              - id: second
                title: Second file
                checks: [{run: test -f /tmp/second, points: 6}]
                solve: {run: touch /tmp/second}
        """

    static func publishTiny(_ portal: PortalHarness) throws {
        try portal.publish(spec)
    }

    @Test func aLearnerRunsALabThroughThePortalAndNobodyElseReachesIt() async throws {
        try await PortalHarness.with(backend: try await DockerBackend.connect()) { portal in
            try Self.publishTiny(portal)
            var event = EventDefinition(name: "class", workshops: ["alice/tiny"], capacity: 5)
            event.sessionSeconds = 600
            event.deadlineSeconds = 1800
            event.accessCode = "open-sesame"
            try portal.cluster.asOwner().createEvent(event)
            try portal.learner("bob")
            try portal.learner("carol")
            let bob = portal.client()
            try await bob.login("bob")
            let carol = portal.client()
            try await carol.login("carol")

            let withoutCode = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny@1.0.0", "event": "class"])
            #expect(withoutCode.status == 403 && withoutCode.errorMessage.contains("access code"), "\(withoutCode.body)")
            let started = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny@1.0.0", "event": "class", "code": "open-sesame"])
            #expect(started.status == 201, "\(started.body)")
            let id = try #require(started.json["id"] as? String)
                let firstExpiry = try #require(started.json["expires_at"] as? String)
            let local = try #require(await portal.server.labs.store.all().sessions.first { $0.catalogueSession == id })

            // The lab page: the step's Markdown rendered inert, a terminal per container, the portal's own script only.
            let page = try await bob.send(.GET, "/sessions/\(id)")
            #expect(page.status == 200)
            #expect(page.body.contains("id=\"terminal-box\"") && page.body.contains("/assets/xterm/xterm.js"))
            #expect(!page.body.contains("<script>alert") && !page.body.contains("onerror") && !page.body.contains("javascript:"), "\(page.body)")

            let failing = try await bob.send(.POST, "/api/sessions/\(id)/check", json: ["challenges": ["first"]])
            #expect(failing.status == 200, "\(failing.body)")
            let grade = try #require((failing.json["challenges"] as? [[String: Any]])?.first)
            #expect(grade["state"] as? String == "failed")
            #expect(grade["hints"] as? [String] == ["Use touch."])
            #expect(failing.json["session"] as? String == id)

            // Carol is someone else: every route of Bob's session answers 404, and so does its terminal.
            for (method, path) in [(HTTPMethod.GET, "/api/sessions/\(id)"), (.POST, "/api/sessions/\(id)/check"),
                                   (.POST, "/api/sessions/\(id)/challenges/first/solve"), (.POST, "/api/sessions/\(id)/extend"),
                                   (.DELETE, "/api/sessions/\(id)"), (.GET, "/sessions/\(id)")] {
                let reply = try await carol.send(method, path, json: method == .POST ? [:] : nil)
                #expect(reply.status == 404, "carol \(method) \(path): \(reply.status) \(reply.body)")
            }
            let (_, carolsToken) = try portal.cluster.as("carol").createToken(name: "terminal", scopes: [.sessions], days: 1)
            let carolsScript = PortalClient(base: portal.base, origin: "ws://127.0.0.1")
            carolsScript.bearer = carolsToken.text
            #expect(try await carolsScript.send(.GET, "/api/sessions/\(id)/terminal/box").status == 404, "the upgrade request itself")
            #expect(try await terminal(portal, carolsScript, id, type: nil) == nil, "carol's terminal upgrade must be refused")
            let foreign = PortalClient(base: portal.base, origin: "http://evil.example")
            foreign.cookie = bob.cookie
            #expect(try await terminal(portal, foreign, id, type: nil) == nil, "a WebSocket from another origin must be refused")

            // Bob types into his terminal (here through a script with his token: WSClient always sends an Origin of
            // its own, which the portal rightly refuses for a cookie; the browser test types with the cookie).
            let (_, token) = try portal.cluster.as("bob").createToken(name: "terminal", scopes: [.sessions], days: 1)
            let script = PortalClient(base: portal.base, origin: "ws://127.0.0.1")
            script.bearer = token.text
            let output = try #require(try await terminal(portal, script, id, type: "touch /tmp/first && echo made-$((40+2))\n", until: "made-42"))
            #expect(output.contains("made-42"))
        // A dropped connection comes back to the same shell: what it set is still there.
        _ = try await terminal(portal, script, id, type: "KEPT=kept-$((2+3))\n", until: "#", name: "tab-1")
        let again = try await terminal(portal, script, id, type: "echo $KEPT\n", until: "kept-5", name: "tab-1")
        #expect(again?.contains("kept-5") == true, "\(again ?? "refused")")
        let fresh = try await terminal(portal, script, id, type: "echo [$KEPT]\n", until: "[]", name: "tab-2")
        #expect(fresh?.contains("[]") == true, "another terminal is another shell: \(fresh ?? "refused")")
            let passing = try await bob.send(.POST, "/api/sessions/\(id)/check", json: [:])
            #expect((passing.json["challenges"] as? [[String: Any]])?.first { $0["id"] as? String == "first" }?["state"] as? String == "passed",
                    "\(passing.body)")
            #expect(passing.json["score"] as? Int == 4)

            let solved = try await bob.send(.POST, "/api/sessions/\(id)/challenges/second/solve")
            #expect(solved.status == 200 && solved.json["solved"] as? Bool == true, "\(solved.body)")

            let extended = try await bob.send(.POST, "/api/sessions/\(id)/extend")
            #expect(extended.status == 200, "\(extended.body)")
            let later = try #require(extended.json["expires_at"] as? String)
            #expect(later > firstExpiry, "\(later) after \(firstExpiry)")

            let ended = try await bob.send(.DELETE, "/api/sessions/\(id)")
            #expect(ended.status == 200 && ended.json["status"] as? String == "completed", "\(ended.body)")
            #expect(ended.json["problems"] as? [String] == [], "\(ended.body)")
            #expect(try await bob.send(.GET, "/api/sessions/\(id)").status == 404, "an ended session is gone")
            let recorded = try portal.cluster.superuserConnection().execute(
                "SELECT grading, score, status FROM nalabo.workshop_sessions WHERE id = $1::uuid", [id]).records.first
            #expect(recorded?["grading"] == "verified" && recorded?["score"] == "4" && recorded?["status"] == "completed")
            let left = try await DockerBackend.connect().sessions()
            #expect(!left.contains { $0.id == local.id }, "the session's containers are gone")
        }
    }

    /// Two portal processes on one catalogue serve the same learner: requests alternate between them (log in
    /// on one, start on the other, grade and type and end on either) and nothing is lost.
    @Test func twoPortalProcessesServeTheSameLearnerInTurn() async throws {
        try await PortalHarness.with(backend: try await DockerBackend.connect()) { portal in
            try Self.publishTiny(portal)
            try portal.learner("bob")
            let other = try await portal.twin()
            let first = portal.client()
            try await first.login("bob")
            let second = PortalClient(base: other, origin: portal.origin)
            second.cookie = first.cookie
            second.csrf = first.csrf
            #expect(try await second.send(.GET, "/api/me").json["handle"] as? String == "bob", "the web session is in the database")
            let started = try await second.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny"])
            let id = try #require(started.json["id"] as? String, "\(started.body)")
            #expect(try await first.send(.GET, "/api/sessions/\(id)").status == 200)
            #expect(try await first.send(.GET, "/sessions/\(id)").status == 200)
            let (_, token) = try portal.cluster.as("bob").createToken(name: "terminal", scopes: [.sessions], days: 1)
            let script = PortalClient(base: other, origin: "ws://127.0.0.1")
            script.bearer = token.text
            let typed = try await terminal(other, script, id, type: "touch /tmp/first; echo ok-$((1+1))\n", until: "ok-2")
            #expect(typed?.contains("ok-2") == true)
            let graded = try await first.send(.POST, "/api/sessions/\(id)/check", json: ["challenges": ["first"]])
            #expect(graded.json["score"] as? Int == 4, "\(graded.body)")
            #expect(try await second.send(.POST, "/api/sessions/\(id)/challenges/second/solve").json["solved"] as? Bool == true)
            let ended = try await first.send(.DELETE, "/api/sessions/\(id)")
            #expect(ended.json["status"] as? String == "completed", "\(ended.body)")
            #expect(try await second.send(.GET, "/api/sessions/\(id)").status == 404)
        }
    }

    /// The reaper ends a session past its time: containers removed, the end recorded as expired, once.
    @Test func theReaperEndsAnExpiredSessionAndItsContainersOnce() async throws {
        let docker = try await DockerBackend.connect()
        try await PortalHarness.with(backend: docker) { portal in
            try Self.publishTiny(portal)
            try portal.learner("bob")
            let bob = portal.client()
            try await bob.login("bob")
            let started = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny"])
            let id = try #require(started.json["id"] as? String, "\(started.body)")
            let local = try #require(await portal.server.labs.store.all().sessions.first { $0.catalogueSession == id })
            #expect(try await docker.sessions().contains { $0.id == local.id })
            // Time passes (in the database, which decides).
            try portal.cluster.superuserConnection().execute(
                "UPDATE nalabo.workshop_sessions SET expires_at = now() - interval '1 second' WHERE id = $1::uuid", [id])
            let reaper = Reaper(labs: portal.server.labs, interval: .seconds(60), reserveClaimWindow: .seconds(600), logger: Logger(label: "test"))
            #expect(await reaper.sweep() == [id])
            #expect(await reaper.sweep().isEmpty, "a second pass (or a second portal) finds nothing left")
            #expect(try await !docker.sessions().contains { $0.id == local.id })
            #expect(await portal.server.labs.store.all().sessions.isEmpty)
            let row = try portal.cluster.superuserConnection().execute("SELECT status FROM nalabo.workshop_sessions WHERE id = $1::uuid", [id])
            #expect(row.scalar == "expired")
            #expect(try await bob.send(.GET, "/api/sessions/\(id)").status == 404)
        }
    }

    /// Opens the terminal WebSocket as `client`, types `type`, and returns what the shell printed until `until`
    /// appeared (10 s at most); nil when the upgrade was refused.
    func terminal(_ portal: PortalHarness, _ client: PortalClient, _ id: String, type: String?, until: String? = nil,
                  name: String? = nil) async throws -> String? {
        try await terminal(portal.base, client, id, type: type, until: until, name: name)
    }

    func terminal(_ base: String, _ client: PortalClient, _ id: String, type: String?, until: String? = nil,
                  name: String? = nil) async throws -> String? {
        var headers = HTTPFields()
        if let cookie = client.cookie { headers[.cookie] = cookie }
        if let bearer = client.bearer { headers[.authorization] = "Bearer \(bearer)" }
        if let origin = client.origin, origin != "ws://127.0.0.1", let name = HTTPField.Name("Origin") { headers[name] = origin }
        let collected = Collected()
        do {
            try await WebSocketClient.connect(url: base.replacingOccurrences(of: "http://", with: "ws://") + "/api/sessions/\(id)/terminal/box?cols=100&rows=30" + (name.map { "&terminal=\($0)" } ?? ""),
                                              configuration: .init(additionalHeaders: headers), logger: Logger(label: "test")) { inbound, outbound, _ in
                collected.upgraded = true
                guard let type else { return }
                try await outbound.write(.binary(ByteBuffer(string: type)))
                let deadline = ContinuousClock.now + .seconds(10)
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .binary(let buffer) = message { collected.text += String(buffer: buffer) }
                    if let until, collected.text.contains(until) { break }
                    if ContinuousClock.now > deadline { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        } catch {
            if type != nil { print("terminal failed: \(error)") }
            return nil
        }
        return collected.upgraded ? collected.text : nil
    }

    final class Collected: @unchecked Sendable {
        var upgraded = false
        var text = ""
    }
}
