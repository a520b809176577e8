import Foundation
import Logging
import NIOCore
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// The same portal on the Kubernetes backend: a lab started, graded, typed into and ended through the API
/// with sessions as namespaces of a real cluster (`NALABO_TEST_KUBECONFIG`; not run without one).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NALABO_TEST_KUBECONFIG"].map { !$0.isEmpty } ?? false,
                             "not run: NALABO_TEST_KUBECONFIG names no cluster"))
struct PortalKubernetesTests {
    @Test func aLabRunsThroughThePortalOnKubernetesUnchanged() async throws {
        let kubeconfig = try #require(ProcessInfo.processInfo.environment["NALABO_TEST_KUBECONFIG"])
        let backend = try KubernetesBackend.connect(kubeconfig: kubeconfig, context: nil)
        try await PortalHarness.with(backend: backend) { portal in
            try PortalLabTests.publishTiny(portal)
            try portal.learner("bob")
            let bob = portal.client()
            try await bob.login("bob")
            let started = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny"])
            #expect(started.status == 201, "\(started.body)")
            let id = try #require(started.json["id"] as? String)
            let local = try #require(await portal.server.labs.store.all().sessions.first { $0.catalogueSession == id })
            #expect(local.backend.kind == .kubernetes)

            let failing = try await bob.send(.POST, "/api/sessions/\(id)/check", json: ["challenges": ["first"]])
            #expect((failing.json["challenges"] as? [[String: Any]])?.first?["state"] as? String == "failed", "\(failing.body)")
            let (_, token) = try portal.cluster.as("bob").createToken(name: "terminal", scopes: [.sessions], days: 1)
            let script = PortalClient(base: portal.base, origin: "ws://127.0.0.1")
            script.bearer = token.text
            let typed = try await PortalLabTests().terminal(portal, script, id, type: "touch /tmp/first; echo k8s-$((4*4))\n", until: "k8s-16")
            #expect(typed?.contains("k8s-16") == true, "\(typed ?? "refused")")
            let passing = try await bob.send(.POST, "/api/sessions/\(id)/check", json: ["challenges": ["first"]])
            #expect(passing.json["score"] as? Int == 4, "\(passing.body)")
            let ended = try await bob.send(.DELETE, "/api/sessions/\(id)")
            #expect(ended.status == 200 && (ended.json["problems"] as? [String])?.isEmpty == true, "\(ended.body)")
            #expect(try await !backend.sessions().contains { $0.id == local.id }, "the namespace is gone")
        }
    }
}
