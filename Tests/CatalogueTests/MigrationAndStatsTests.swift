import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

@Suite struct MigrationTests {
    @Test func migratingAgainChangesNothingAndConcurrentMigratorsAgree() throws {
        let cluster = try TestCatalogue()
        #expect(try Migrator(cluster.ownerConnection()).run() == Migrator.Outcome(applied: [], version: Migration.all.count))
        // Several migrators at once on a new database: the advisory lock lets exactly one apply each migration.
        let fresh = try TestCatalogue.Fresh(cluster)
        let url = TestCatalogue.url(user: cluster.owner, database: fresh.database)
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            outcomes.append(Result { try Migrator(Connection(ConnectionSettings(url: url))).run() })
        }
        let applied = outcomes.all.compactMap { try? $0.get().applied }
        #expect(applied.count == 4, "\(outcomes.all)")
        #expect(applied.flatMap { $0 } == Migration.all.map(\.version))
    }

    @Test func aSchemaNewerThanThisNalaboIsRefused() throws {
        let cluster = try TestCatalogue()
        try cluster.superuserConnection().execute("INSERT INTO public.nalabo_migrations (version, name, checksum) VALUES (999, 'future', 'x')")
        #expect(throws: Migrator.Problem.schemaNewer(database: 999, known: Migration.all.count)) {
            try Migrator(cluster.ownerConnection()).run()
        }
    }

    @Test func anEditedMigrationIsRefused() throws {
        let cluster = try TestCatalogue()
        var edited = Migration.all
        edited[0].sql += "\n-- a harmless looking edit\n"
        #expect(throws: Migrator.Problem.editedMigration(version: 1, name: "catalogue")) {
            try Migrator(cluster.ownerConnection(), migrations: edited).run()
        }
    }

    @Test func planLimitsAreSyncedFromWorkshopSpec() throws {
        let cluster = try TestCatalogue()
        let rows = try cluster.superuserConnection().execute("SELECT name, max_published_workshops FROM nalabo.plans ORDER BY name").rows
        #expect(rows.map { "\($0[0] ?? "")=\($0[1] ?? "unlimited")" } == Plan.all.sorted { $0.id < $1.id }.map {
            "\($0.id)=\($0.maxPublishedWorkshops.map(String.init) ?? "unlimited")"
        })
    }
}

@Suite struct StatsTests {
    @Test func statsCountSessionsPassRatesAttemptsAndMedianTimes() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        for learner in ["bob", "dave", "erin"] { try cluster.user(learner) }
        _ = try cluster.as("alice").publish(workshop("shell", extraChallenge: true))
        let version = try cluster.as("alice").resolve(WorkshopAddress(slug: "shell"))
        let database = try cluster.superuserConnection()
        // bob passes make-dir on his second try 60 s into his session and completes; dave passes 120 s in;
        // erin fails twice. Sessions are started in the past rather than waiting.
        for (learner, secondsAgo, tries, status) in [("bob", 60, [false, true], "completed"), ("dave", 120, [true], "abandoned"),
                                                     ("erin", 30, [false, false], "active")] {
            let catalogue = try cluster.as(learner)
            let session = try catalogue.startSession(version: version)
            try database.execute("UPDATE nalabo.workshop_sessions SET started_at = now() - make_interval(secs => $2) WHERE id = $1::uuid",
                                 [session, String(secondsAgo)])
            for passed in tries {
                try catalogue.recordAttempt(session: session, challenge: "make-dir", passed: passed, points: passed ? 2 : 0)
            }
            // A skipped challenge (the learner ran the solution) is not an attempt, but it completes the session.
            if status == "completed" {
                try catalogue.recordAttempt(session: session, challenge: "touch-file", passed: true, points: 0, skipped: true)
            }
            if status != "active" { #expect(try catalogue.endSession(session) == status) }
        }
        let stats = try cluster.as("alice").stats(WorkshopAddress(slug: "shell"))
        #expect(stats.sessionsStarted == 3)
        #expect(stats.sessionsCompleted == 1)
        #expect(stats.challenges.map { "\($0.id) \($0.sessions) \($0.passed) \($0.attempts)" } == ["make-dir 3 2 5"])
        let median = try #require(stats.challenges.first?.medianSecondsToPass)
        #expect(abs(median - 90) < 2, "median \(median)")
        // A learner's view counts only their own session: row-level security hides the others.
        let bobs = try cluster.as("bob").stats(WorkshopAddress(slug: "shell"))
        #expect(bobs.sessionsStarted == 1)
        #expect(bobs.challenges.map { "\($0.id) \($0.sessions) \($0.passed) \($0.attempts)" } == ["make-dir 1 1 2"])
        #expect(abs((bobs.challenges.first?.medianSecondsToPass ?? 0) - 60) < 2)
        // Progress rows are written by the database, never by a learner directly.
        #expect(throws: PostgresError.self) {
            try cluster.as("bob").connection.execute("INSERT INTO nalabo.challenge_progress (session_id, challenge, workshop_id, owner_id, learner_id, started_at) SELECT session_id, 'forged', workshop_id, owner_id, learner_id, now() FROM nalabo.challenge_progress LIMIT 1")
        }
    }
}

extension TestCatalogue {
    /// A second, empty database owned by the same owner, for tests of a first migration.
    final class Fresh {
        let database: String
        let cluster: TestCatalogue

        init(_ cluster: TestCatalogue) throws {
            self.cluster = cluster
            database = cluster.database + "_fresh"
            try cluster.superuserConnection().execute("CREATE DATABASE \(database) OWNER \(cluster.owner)")
        }

        deinit {
            _ = try? cluster.superuserConnection().execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        }

        func ownerConnection() throws -> Connection {
            try Connection(ConnectionSettings(url: TestCatalogue.url(user: cluster.owner, database: database)))
        }
    }
}

/// Results gathered from several threads.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Migrator.Outcome, Error>] = []

    func append(_ result: Result<Migrator.Outcome, Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }

    var all: [Result<Migrator.Outcome, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
