import Foundation
@testable import Portal
import Testing
import WorkshopSpec

/// Events as the database enforces them: capacity under concurrent starts, guests of anonymous events, access codes.
@Suite(.serialized) struct PortalEventTests {
    /// 50 learners press Start at once against capacity 5, three rounds: exactly 5 sessions every time. Each
    /// learner is its own connection (the portal's role acting as the learner), on its own thread.
    @Test func fiftyConcurrentStartsAgainstCapacityFiveGiveExactlyFive() async throws {
        try await PortalHarness.with() { portal in
            try PortalLabTests.publishTiny(portal)
            try portal.cluster.asOwner().createEvent(EventDefinition(name: "rush", workshops: ["alice/tiny"], capacity: 5))
            let learners = try (0..<50).map { try portal.cluster.user("l\($0)") }
            let version = try portal.cluster.as("alice").resolve(try #require(WorkshopAddress("alice/tiny")))
            let url = TestCatalogue.url(user: portal.portalRole, database: portal.cluster.database)
            let catalogues = try learners.map { Catalogue(connection: try Connection(ConnectionSettings(url: url)), actingAs: $0) }

            for round in 1...3 {
                let results = Results()
                let ready = DispatchGroup(), go = DispatchSemaphore(value: 0), done = DispatchGroup()
                for catalogue in catalogues {
                    ready.enter()
                    done.enter()
                    let box = UncheckedBox(catalogue)
                    Thread.detachNewThread {
                        ready.leave()
                        go.wait()
                        do {
                            results.add(.success(try box.value.startEventSession(event: "rush", version: version)))
                        } catch {
                            results.add(.failure(error))
                        }
                        done.leave()
                    }
                }
                ready.wait()
                for _ in catalogues { go.signal() }
                #expect(done.wait(timeout: .now() + 120) == .success, "round \(round) finished in time")
                let started = results.all.compactMap { try? $0.get() }
                #expect(started.count == 5, "round \(round): \(started.count) sessions")
                let refusals = results.all.compactMap { result -> String? in
                    if case .failure(let error) = result { return "\(error)" }
                    return nil
                }
                #expect(refusals.count == 45 && refusals.allSatisfy { $0.contains("is full") }, "round \(round): \(Set(refusals))")
                #expect(try portal.cluster.asOwner().events(named: "rush").first?.running == 5)
                // The winners end their sessions; the next round starts from an empty event.
                for catalogue in catalogues {
                    for session in try catalogue.sessions() where session.status == "active" { try catalogue.endSession(session.id) }
                }
            }
        }
    }

    @Test func aLearnerMayHaveOnlyPerLearnerSessionsAndAClosedEventStartsNone() async throws {
        try await PortalHarness.with() { portal in
            try PortalLabTests.publishTiny(portal)
            try portal.cluster.asOwner().createEvent(EventDefinition(name: "one", workshops: ["alice/tiny"], capacity: 5))
            let role = try portal.cluster.user("bob")
            let version = try portal.cluster.as("alice").resolve(try #require(WorkshopAddress("alice/tiny")))
            let bob = Catalogue(connection: try Connection(ConnectionSettings(url: TestCatalogue.url(user: portal.portalRole, database: portal.cluster.database))),
                                actingAs: role)
            _ = try bob.startEventSession(event: "one", version: version)
            #expect(throws: CatalogueError.self) { try bob.startEventSession(event: "one", version: version) }
            try portal.cluster.asOwner().closeEvent("one")
            for session in try bob.sessions() { try bob.endSession(session.id) }
            do {
                _ = try bob.startEventSession(event: "one", version: version)
                Issue.record("a closed event started a session")
            } catch let error as CatalogueError {
                #expect(error.description.contains("is closed"), "\(error)")
            }
        }
    }

    @Test func anAnonymousEventGivesGuestAccountsBehindItsAccessCode() async throws {
        try await PortalHarness.with() { portal in
            try PortalLabTests.publishTiny(portal)
            var event = EventDefinition(name: "open-day", workshops: ["alice/tiny"], capacity: 3)
            event.registration = .anonymous
            event.accessCode = "sesame"
            try portal.cluster.asOwner().createEvent(event)

            let page = try await portal.client().send(.GET, "/events/open-day")
            #expect(page.status == 200 && page.body.contains("id=\"guest\"") && page.body.contains("name=\"code\""), "\(page.body)")
            #expect(try await portal.client().send(.GET, "/events/nothing").status == 404)

            let wrong = try await portal.client().send(.POST, "/api/login", json: ["event": "open-day", "name": "Ada", "code": "open"])
            #expect(wrong.status == 403, "\(wrong.body)")
            let guest = portal.client()
            let joined = try await guest.send(.POST, "/api/login", json: ["event": "open-day", "name": "Ada", "code": "sesame"])
            #expect(joined.status == 200, "\(joined.body)")
            guest.take(joined)
            let me = try await guest.send(.GET, "/api/me")
            #expect((me.json["handle"] as? String)?.hasPrefix("guest-") == true, "\(me.body)")
            // A guest is a real nalabo user, and sees only what users see.
            #expect(try await guest.send(.GET, "/api/workshops").status == 200)
            let guests = try portal.cluster.superuserConnection().execute("SELECT display_name FROM nalabo.guests").records
            #expect(guests.map { $0["display_name"] } == ["Ada"])
        }
    }

    @Test func aGuestStartsSessionsOnlyInItsOwnEvent() async throws {
        try await PortalHarness.with() { portal in
            try PortalLabTests.publishTiny(portal)
            var event = EventDefinition(name: "open-day", workshops: ["alice/tiny"], capacity: 3)
            event.registration = .anonymous
            try portal.cluster.asOwner().createEvent(event)
            try portal.cluster.asOwner().createEvent(EventDefinition(name: "other", workshops: ["alice/tiny"], capacity: 3))
            let guest = portal.client()
            let joined = try await guest.send(.POST, "/api/login", json: ["event": "open-day", "name": "Ada"])
            #expect(joined.status == 200, "\(joined.body)")
            guest.take(joined)
            // Outside its event, where neither the capacity nor the per-learner cap would apply: refused by the database.
            let outside = try await guest.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny"])
            #expect(outside.status == 403 && outside.body.contains("only in that event"), "\(outside.body)")
            let elsewhere = try await guest.send(.POST, "/api/sessions", json: ["workshop": "alice/tiny", "event": "other"])
            #expect(elsewhere.status == 403 && elsewhere.body.contains("another event"), "\(elsewhere.body)")
            #expect(try portal.cluster.superuserConnection().execute("SELECT id FROM nalabo.workshop_sessions").records.isEmpty)
            // In its own event it starts, through the catalogue as the portal does.
            let role = try #require(try portal.cluster.superuserConnection().execute(
                "SELECT u.db_role FROM nalabo.guests g JOIN nalabo.users u ON u.id = g.user_id").records.first?["db_role"] ?? nil)
            let version = try portal.cluster.as("alice").resolve(try #require(WorkshopAddress("alice/tiny")))
            let asGuest = Catalogue(connection: try Connection(ConnectionSettings(url: TestCatalogue.url(user: portal.portalRole, database: portal.cluster.database))),
                                    actingAs: role)
            _ = try asGuest.startEventSession(event: "open-day", version: version)
            #expect(throws: CatalogueError.self) { try asGuest.startSession(version: version) }
            // An account that is not a guest still starts sessions outside events.
            let bob = Catalogue(connection: try Connection(ConnectionSettings(url: TestCatalogue.url(user: portal.portalRole, database: portal.cluster.database))),
                                actingAs: try portal.cluster.user("bob"))
            _ = try bob.startSession(version: version)
        }
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<String, any Error>] = []
    func add(_ result: Result<String, any Error>) { lock.withLock { results.append(result) } }
    var all: [Result<String, any Error>] { lock.withLock { results } }
}
