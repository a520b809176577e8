import Foundation
import Logging
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// Reserved labs on the real Docker engine and the real catalogue: started ahead within the event's capacity,
/// handed to one learner each, refilled, recycled when stale, never over-started by two portals at once — and
/// the lab records live in the catalogue, where a learner's role reads only its own.
@Suite(.serialized) struct PortalReserveTests {
    static func reaper(_ labs: LabSessions, window: Duration = .seconds(600)) -> Reaper {
        Reaper(labs: labs, interval: .seconds(60), reserveClaimWindow: window, logger: Logger(label: "test"))
    }

    static func reserves(_ portal: PortalHarness) throws -> [String] {
        try portal.cluster.superuserConnection()
            .execute("SELECT id FROM nalabo.lab_records WHERE claimable_until IS NOT NULL ORDER BY id").rows.compactMap { $0.first ?? nil }
    }

    @Test func reservedLabsAreStartedAheadClaimedOnceRefilledAndRecycled() async throws {
        let docker = try await DockerBackend.connect()
        try await PortalHarness.with(backend: docker) { portal in
            try PortalLabTests.publishTiny(portal)
            var event = EventDefinition(name: "warm", workshops: ["alice/tiny"], capacity: 3)
            event.reserved = 2
            event.sessionSeconds = 600
            try portal.cluster.asOwner().createEvent(event)
            // A second portal process on the same catalogue: the two refill at once and start two, not four.
            let otherPool = ConnectionPool(settings: portal.configuration.database)
            let other = LabSessions(pool: otherPool, store: CatalogueLabRecords(pool: otherPool), backend: docker)
            async let first = Self.reaper(portal.server.labs).refillReserves()
            async let second = Self.reaper(other).refillReserves()
            let started = await first + second
            var reserves = try Self.reserves(portal)
            #expect(started.count == 2 && Set(started) == Set(reserves), "started \(started), reserved \(reserves)")
            let running = Set(try await docker.sessions().map(\.id))
            #expect(reserves.allSatisfy(running.contains), "the reserves run on the engine")
            #expect(await Self.reaper(portal.server.labs).refillReserves().isEmpty, "nothing is missing")

            // A reserve whose container is gone (its engine restarted, say) is withdrawn and replaced, never handed over.
            let dead = try #require(reserves.first)
            let container = try #require(try await portal.server.labs.store.load(dead)?.handle?.members.values.first)
            try await DockerEngine.connect().removeContainer(container)
            #expect(await Self.reaper(portal.server.labs).refillReserves().count == 1)
            reserves = try Self.reserves(portal)
            #expect(reserves.count == 2 && !reserves.contains(dead), "the dead reserve \(dead) was replaced: \(reserves)")
            #expect(try await !docker.sessions().contains { $0.id == dead })

            // Bob starts: he gets a reserve (no new lab), which is his alone now.
            try portal.learner("bob")
            let bob = portal.client()
            try await bob.login("bob")
            let response = try await bob.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny", "event": "warm"])
            let id = try #require(response.json["id"] as? String, "\(response.body)")
            let record = try #require(try await portal.server.labs.store.record(catalogueSession: id))
            #expect(reserves.contains(record.id), "bob's lab \(record.id) is one of the reserves \(reserves)")
            #expect(try Self.reserves(portal).count == 1)
            let session = try await bob.send(.GET, "/api/sessions/\(id)")
            #expect(session.status == 200 && session.json["status"] as? String == "ready", "\(session.body)")
            let check = try await bob.send(.POST, "/api/sessions/\(id)/check", json: [String: Any]())
            #expect(check.status == 200, "a claimed reserve grades: \(check.body)")

            // Refilled within capacity 3: bob's session and two reserves.
            #expect(await Self.reaper(portal.server.labs).refillReserves().count == 1)
            reserves = try Self.reserves(portal)
            #expect(reserves.count == 2 && !reserves.contains(record.id))

            // Carol's and Dan's starts take both; the event is then full, so none is started again.
            for learner in ["carol", "dan"] {
                try portal.learner(learner)
                let client = portal.client()
                try await client.login(learner)
                let started = try await client.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny", "event": "warm"])
                #expect(started.status == 201, "\(started.body)")
            }
            #expect(try Self.reserves(portal).isEmpty)
            #expect(await Self.reaper(portal.server.labs).refillReserves().isEmpty, "capacity 3 is used up")

            // A learner's role reads the lab records of its own sessions only.
            let bobRole = try #require(try portal.cluster.superuserConnection()
                .execute("SELECT db_role FROM nalabo.users WHERE handle = 'bob'").scalar)
            let asBob = Catalogue(connection: try Connection(portal.configuration.database), actingAs: bobRole)
            #expect(try asBob.labRecords().map(\.session) == [id])
            let carolSession = try #require(try portal.cluster.superuserConnection().execute(
                "SELECT s.id FROM nalabo.workshop_sessions s JOIN nalabo.users u ON u.id = s.learner_id WHERE u.handle = 'carol'").scalar)
            #expect(try asBob.labRecord(session: carolSession) == nil)
            #expect(throws: CatalogueError.self) { try asBob.deleteLabRecord(record.id) }

            // Bob ends his session through the CLI's path (not this portal): the next sweep removes his lab.
            _ = try asBob.endSession(id)
            _ = await Self.reaper(portal.server.labs).sweep()
            #expect(try await portal.server.labs.store.load(record.id) == nil)
            #expect(try await !docker.sessions().contains { $0.id == record.id })

            // A closed event's reserves are recycled.
            try portal.cluster.superuserConnection().execute("UPDATE nalabo.events SET capacity = 10 WHERE name = 'warm'")
            #expect(await Self.reaper(portal.server.labs).refillReserves().count == 2)
            let closing = try Self.reserves(portal)
            try portal.cluster.asOwner().closeEvent("warm")
            #expect(await Self.reaper(portal.server.labs).refillReserves().isEmpty)
            #expect(try Self.reserves(portal).isEmpty)
            let left = Set(try await docker.sessions().map(\.id))
            #expect(closing.allSatisfy { !left.contains($0) }, "recycled reserves are removed from the engine")

            // --end-labs-on-exit: every lab of the catalogue ends.
            await Self.reaper(portal.server.labs).endAll()
            #expect(await portal.server.labs.store.all().sessions.isEmpty)
            let active = try portal.cluster.superuserConnection()
                .execute("SELECT count(*) FROM nalabo.workshop_sessions WHERE ended_at IS NULL").scalar
            #expect(active == "0")
        }
    }
}
