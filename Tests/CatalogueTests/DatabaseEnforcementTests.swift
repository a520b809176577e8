import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

/// The attacks of the security review, performed for real with plain SQL and the catalogue API: the database
/// itself must refuse what only the client used to check.
@Suite struct DatabaseEnforcementTests {
    /// Two containers of 4 GiB with internet access and a 7-day session, from a free-plan user.
    static let oversized = """
        environment:
          network: internet
          containers:
            - name: box
              image: debian:bookworm-slim
              resources: {memory: 4Gi, cpus: 3, disk: 20Gi}
            - name: two
              image: debian:bookworm-slim
        """

    @Test func publishChecksThePlanLimitsInTheDatabase() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice")
        let error = try #require(throws: CatalogueError.self) {
            try alice.publish(workshop("big", environment: Self.oversized, limits: "limits: {session: 168h}"))
        }
        guard case .quotaExceeded(let message, let hint) = error else { Issue.record("\(error)"); return }
        for problem in ["2 containers (at most 1)", "container box: memory 4Gi", "container box: cpus 3", "container box: disk 20Gi",
                        "session 168h", "network mode internet"] {
            #expect(message.contains(problem), "\(message)")
        }
        #expect(hint?.contains("nalabo validate --plan free") == true)
        // Nothing was written.
        #expect(try cluster.asOwner().connection.execute("SELECT count(*) FROM nalabo.workshops").scalar == "0")
        // The same workshop fits the team plan.
        try cluster.user("tess", plan: "team")
        #expect(try cluster.as("tess").publish(workshop("big", environment: Self.oversized, limits: "limits: {session: 12h}")) == .published)
    }

    @Test func publishDerivesDigestMetadataAndChallengesFromTheBundle() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice").connection
        let bundle = WorkshopBundle(try workshop("shell", title: "Shell practice", extraChallenge: true))
        // The old signature took the slug, title, digest and challenge rows from the client: it is gone.
        #expect(throws: PostgresError.self) {
            try alice.execute("SELECT nalabo.publish('shell', '1.0.0', 'x', $1, $2::jsonb, 'Official alice course', NULL, '{}', '[]')",
                              ["sha256:" + String(repeating: "0", count: 64), bundle.canonicalText])
        }
        #expect(try alice.execute("SELECT nalabo.publish($1)", [bundle.canonicalText]).scalar == "published")
        let row = try #require(try alice.execute("""
            SELECT w.slug, v.version, v.version_order, v.digest, v.title, v.summary, array_to_string(v.tags, ',') AS tags
            FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
            """).records.first)
        #expect(row["slug"] == "shell" && row["version"] == "1.0.0" && row["title"] == "Shell practice")
        #expect(row["digest"] == bundle.digest)
        #expect(row["version_order"] == SemanticVersion("1.0.0")?.orderKey)
        #expect(row["summary"] == "Practice for shell." && row["tags"] == "linux")
        let challenges = try alice.execute("SELECT challenge || ' ' || step || ' ' || points || ' ' || position FROM nalabo.challenges ORDER BY position")
            .rows.compactMap { $0.first ?? nil }
        #expect(challenges == ["make-dir first 2 1", "touch-file first 1 2"])
        // Not JSON, or not a bundle, is refused with a reason.
        #expect(throws: CatalogueError.invalid("the bundle is not JSON", hint: "publish with nalabo, which sends the canonical bundle")) {
            try cluster.as("alice").run("SELECT nalabo.publish('{')")
        }
        #expect(throws: CatalogueError.invalid("the bundle is not in the format nalabo.bundle/v1", hint: nil)) {
            try cluster.as("alice").run("SELECT nalabo.publish('{\"format\": \"other\"}')")
        }
    }

    @Test func catalogueTextFollowsTheSpecRulesWhoeverWritesIt() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        // A bundle whose title carries a terminal escape (OSC retitle, colour), as a hand-made client would send.
        var text = WorkshopBundle(try workshop("shell")).canonicalText
        text = text.replacingOccurrences(of: #""title":"A workshop""#, with: #""title":"\u001b]0;owned\u0007\u001b[31mOfficial""#)
        let error = try #require(throws: CatalogueError.self) { try cluster.as("alice").run("SELECT nalabo.publish($1)", [text]) }
        #expect("\(error)".contains("versions_title_text"), "\(error)")
        // Even the catalogue's owner, which bypasses row-level security, cannot store such text.
        let owner = try cluster.ownerConnection()
        #expect(throws: PostgresError.self) {
            try owner.execute("INSERT INTO nalabo.workshops (owner_id, slug) SELECT id, 'Bad Slug' FROM nalabo.users LIMIT 1")
        }
    }

    @Test func theQuotaCountsUnyanksAndNewVersionsOfYankedWorkshops() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")  // free: 3 published workshops
        let alice = try cluster.as("alice")
        for slug in ["a", "b", "c"] { _ = try alice.publish(workshop(slug)) }
        try alice.yank(WorkshopAddress(owner: "alice", slug: "c", version: "1.0.0"))
        _ = try alice.publish(workshop("d"))
        // Un-yanking c would make four: through the API and through plain SQL.
        #expect(throws: CatalogueError.quotaExceeded("the free plan allows 3 published workshops, and 3 are published",
                                                      hint: "yank a workshop you no longer need, or ask an admin for a larger plan")) {
            try alice.yank(WorkshopAddress(owner: "alice", slug: "c", version: "1.0.0"), undo: true)
        }
        #expect(throws: PostgresError.self) { try alice.connection.execute("UPDATE nalabo.workshop_versions SET yanked_at = NULL") }
        // A new version of the yanked workshop would publish it again: counted too.
        #expect(throws: CatalogueError.self) { try alice.publish(workshop("c", version: "1.0.1")) }
        // And no row goes in behind publish()'s back.
        let ownID = try #require(try alice.whoami().handle == "alice" ? alice.connection.execute("SELECT nalabo.my_id()").scalar : nil)
        #expect(throws: PostgresError.self) { try alice.connection.execute("INSERT INTO nalabo.workshops (owner_id, slug) VALUES ($1, 'e')", [ownID]) }
        #expect(try alice.connection.execute("""
            SELECT count(*) FROM nalabo.workshops w WHERE EXISTS (SELECT 1 FROM nalabo.workshop_versions v WHERE v.workshop_id = w.id AND v.yanked_at IS NULL)
            """).scalar == "3")
        // Yanking another frees the place; then the un-yank goes through.
        try alice.yank(WorkshopAddress(owner: "alice", slug: "a", version: "1.0.0"))
        try alice.yank(WorkshopAddress(owner: "alice", slug: "c", version: "1.0.0"), undo: true)
    }

    @Test func theQuotaHoldsUnderRepeatableReadAndNobodyCanStallAnothersPublishing() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        let alice = try cluster.as("alice").connection
        // A snapshot taken before the quota's lock would count without the lock's previous holder: refused.
        try alice.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        let error = try #require(throws: PostgresError.self) {
            try alice.execute("SELECT nalabo.publish($1)", [WorkshopBundle(try workshop("snapshot")).canonicalText])
        }
        #expect(error.sqlState == "25001", "\(error)")
        try alice.execute("ROLLBACK")
        // The quota's lock is alice's users row, which bob may not lock (an advisory lock anyone could take).
        let bob = try cluster.as("bob").connection
        let aliceID = try #require(try cluster.asOwner().connection.execute("SELECT id FROM nalabo.users WHERE handle = 'alice'").scalar)
        try bob.execute("BEGIN")
        #expect(try bob.execute("SELECT 1 FROM nalabo.users WHERE id = $1 FOR UPDATE", [aliceID]).rows.isEmpty)
        try alice.execute("SET statement_timeout = '5s'")
        #expect(try alice.execute("SELECT nalabo.publish($1)", [WorkshopBundle(try workshop("unblocked")).canonicalText]).scalar == "published")
        try bob.execute("ROLLBACK")
    }

    @Test func limitsBelowTheSpecsMinimumAreRefusedToo() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        // Engines read a zero or negative limit as "none": a hand-made bundle must not pass them.
        var text = WorkshopBundle(try workshop("unlimited")).canonicalText
        text = text.replacingOccurrences(of: #""memory":"512Mi","pids":256"#, with: #""memory":"0","pids":-1"#)
        #expect(text.contains(#""pids":-1"#))
        let error = try #require(throws: CatalogueError.self) { try cluster.as("alice").run("SELECT nalabo.publish($1)", [text]) }
        #expect("\(error)".contains("memory 0") && "\(error)".contains("pids -1"), "\(error)")
        // Tags are labels, every one: no NULL, no comma inside one.
        let tags = WorkshopBundle(try workshop("tags")).canonicalText.replacingOccurrences(of: #""tags":["linux"]"#, with: #""tags":["a,b",null]"#)
        #expect(tags.contains("a,b"))
        #expect(throws: CatalogueError.self) { try cluster.as("alice").run("SELECT nalabo.publish($1)", [tags]) }
    }

    @Test func challengeRowsOfAPublishedVersionAreImmutable() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        _ = try cluster.as("alice").publish(workshop("shell"))
        let owner = try cluster.ownerConnection()
        for statement in ["UPDATE nalabo.challenges SET points = 99", "DELETE FROM nalabo.challenges"] {
            let error = try #require(throws: PostgresError.self) { try owner.execute(statement) }
            #expect(error.message == "the challenges of a published version are immutable")
        }
    }

    @Test func learnersCannotForgeResults() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        _ = try cluster.as("alice").publish(workshop("shell", extraChallenge: true))
        let bob = try cluster.as("bob")
        let version = try bob.resolve(WorkshopAddress(slug: "shell"))
        let bobID = try #require(try bob.connection.execute("SELECT nalabo.my_id()").scalar)
        // A completed session with any score, backdated.
        expectRefused {
            try bob.connection.execute("""
                INSERT INTO nalabo.workshop_sessions (learner_id, version_id, started_at, expires_at, ended_at, status, score)
                VALUES ($1, $2, now() - interval '1 day', now(), now(), 'completed', 1000)
                """, [bobID, String(version.id)])
        }
        let session = try bob.startSession(version: version)
        expectRefused { try bob.connection.execute("UPDATE nalabo.workshop_sessions SET score = 1000, status = 'completed'") }
        expectRefused { try bob.connection.execute("INSERT INTO nalabo.challenge_attempts (session_id, challenge, passed, points) VALUES ($1::uuid, 'make-dir', true, 2)", [session]) }
        // Through the functions: challenges that do not exist, more points than the challenge has, a skip with points.
        #expect(throws: CatalogueError.notFound("the workshop of session \(session) has no challenge invented")) {
            try bob.recordAttempt(session: session, challenge: "invented", passed: true, points: 1)
        }
        #expect(throws: CatalogueError.invalid("50 points for challenge make-dir (it has 2)", hint: nil)) {
            try bob.recordAttempt(session: session, challenge: "make-dir", passed: true, points: 50)
        }
        #expect(throws: CatalogueError.self) { try bob.recordAttempt(session: session, challenge: "make-dir", passed: true, points: 2, skipped: true) }
        // The session's length comes from the bundle (1h), its times from the server; the score from attempts.
        let times = try #require(try bob.connection.execute("""
            SELECT extract(epoch FROM expires_at - started_at)::integer AS length, grading FROM nalabo.workshop_sessions
            """).records.first)
        #expect(times["length"] == "3600" && times["grading"] == "self-reported")
        try bob.recordAttempt(session: session, challenge: "make-dir", passed: false, points: 0)
        try bob.recordAttempt(session: session, challenge: "make-dir", passed: true, points: 2)
        #expect(try bob.endSession(session) == "abandoned")  // touch-file was never done
        let ended = try #require(try bob.connection.execute("SELECT status, score FROM nalabo.workshop_sessions").records.first)
        #expect(ended["status"] == "abandoned" && ended["score"] == "2")
        // An ended session takes no more results.
        #expect(throws: CatalogueError.notPermitted("session \(session) has ended")) {
            try bob.recordAttempt(session: session, challenge: "touch-file", passed: true, points: 1)
        }
    }

    @Test func resultsGradedByThePortalAreVerifiedAndLearnersCannotWriteThem() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let bobRole = try cluster.user("bob")
        _ = try cluster.as("alice").publish(workshop("shell"))
        // The portal's login role: a grader that acts as each user through SET LOCAL ROLE.
        let portalRole = try cluster.user("portal", register: false)
        let superuser = try cluster.superuserConnection()
        try superuser.execute("GRANT nalabo_grader TO \(portalRole)")
        try superuser.execute("GRANT \(bobRole) TO \(portalRole)")
        let portal = try cluster.as("portal")
        let version = try cluster.as("bob").resolve(WorkshopAddress(slug: "shell"))
        let session = try portal.inTransaction { catalogue -> String in
            try catalogue.connection.execute("SET LOCAL ROLE \(bobRole)")
            let session = try catalogue.startSession(version: version)
            try catalogue.recordAttempt(session: session, challenge: "make-dir", passed: true, points: 2)
            return session
        }
        let bob = try cluster.as("bob")
        #expect(try bob.connection.execute("SELECT grading FROM nalabo.workshop_sessions").scalar == "verified")
        // Bob himself cannot add results to (or end) the session the portal grades.
        #expect(throws: CatalogueError.notPermitted("session \(session) is graded by the portal; results cannot be reported for it")) {
            try bob.recordAttempt(session: session, challenge: "make-dir", passed: true, points: 2)
        }
        // His own `nalabo check` results are self-reported; statistics keep the two apart.
        let own = try bob.startSession(version: version)
        try bob.recordAttempt(session: own, challenge: "make-dir", passed: false, points: 0)
        let stats = try cluster.as("alice").stats(WorkshopAddress(slug: "shell"))
        #expect(stats.sessionsStarted == 2 && stats.sessionsVerified == 1)
        #expect(stats.challenges.map { "\($0.id) \($0.grading) \($0.passed)/\($0.sessions)" }
                == ["make-dir verified 1/1", "make-dir self-reported 0/1"])
    }

    @Test func helpersAnswerOnlyForTheCallerAndInternalsAreNotCallable() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("carol", role: .admin)
        let alice = try cluster.as("alice").connection
        // The old helpers answered for anyone; they are gone.
        for probe in ["SELECT nalabo.is_admin('carol')", "SELECT nalabo.is_super_admin('carol')", "SELECT nalabo.user_id('carol')"] {
            let error = try #require(throws: PostgresError.self) { try alice.execute(probe) }
            #expect(error.sqlState == "42883", "\(probe): \(error)")
        }
        #expect(try alice.execute("SELECT nalabo.is_admin()").scalar == "f")
        #expect(try cluster.as("carol").connection.execute("SELECT nalabo.is_admin()").scalar == "t")
        // What runs inside the API is not executable by users.
        for statement in ["SELECT nalabo.write_audit('user.set-role', 'alice', '{}')", "SELECT nalabo.check_quota(1)",
                         "SELECT nalabo.plan_violations('{}', 0, 'team')", "SELECT nalabo.my_active_session(gen_random_uuid())",
                         "SELECT nalabo.lock_owner(1)"] {
            let error = try #require(throws: PostgresError.self) { try alice.execute(statement) }
            #expect(error.sqlState == "42501", "\(statement): \(error)")
        }
    }

    @Test func theAuditLogIsWrittenByTheDatabaseOnly() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        try cluster.user("carol", role: .admin)
        _ = try cluster.as("alice").publish(workshop("shell"))
        let bob = try cluster.as("bob").connection
        // A learner's backdated event.
        expectRefused {
            try bob.execute("INSERT INTO nalabo.audit_events (at, action, target) VALUES (now() - interval '1 year', 'user.set-role', 'bob')")
        }
        // An admin's plain UPDATE is audited.
        try cluster.as("carol").connection.execute("UPDATE nalabo.users SET plan = 'pro' WHERE handle = 'bob'")
        // An owner's plain-SQL yank: the database stamps when and who, and audits it; yanked_by cannot be set by hand.
        let alice = try cluster.as("alice").connection
        expectRefused { try alice.execute("UPDATE nalabo.workshop_versions SET yanked_at = now(), yanked_by = NULL") }
        try alice.execute("UPDATE nalabo.workshop_versions SET yanked_at = '2000-01-01'")
        let yank = try #require(try alice.execute("""
            SELECT v.yanked_at > now() - interval '1 minute' AS recent, u.handle FROM nalabo.workshop_versions v JOIN nalabo.users u ON u.id = v.yanked_by
            """).records.first)
        #expect(yank.bool("recent") && yank["handle"] == "alice")
        let events = try cluster.asOwner().connection.execute("""
            SELECT e.action || ' ' || e.target || ' ' || coalesce(u.handle, '-') || ' ' || (e.at > now() - interval '1 minute')
            FROM nalabo.audit_events e LEFT JOIN nalabo.users u ON u.id = e.actor_id WHERE e.action <> 'user.add' ORDER BY e.id
            """).rows.compactMap { $0.first ?? nil }
        #expect(events == ["publish alice/shell@1.0.0 alice true", "user.set-plan bob carol true", "yank alice/shell@1.0.0 alice true"])
    }

    @Test func theDatabaseChecksTheOwnersPlanAgainWhenASessionStarts() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice", plan: "team")
        try cluster.user("bob")
        try cluster.user("carol", role: .admin)
        _ = try cluster.as("alice").publish(workshop("big", environment: Self.oversized))
        try cluster.as("carol").setPlan("alice", to: "free")
        let bob = try cluster.as("bob")
        let version = try bob.resolve(WorkshopAddress(slug: "big"))
        let error = try #require(throws: CatalogueError.self) { try bob.startSession(version: version) }
        guard case .quotaExceeded(let message, _) = error else { Issue.record("\(error)"); return }
        #expect(message.hasPrefix("alice/big@1.0.0 exceeds its owner's plan and cannot run: 2 containers (at most 1)"), "\(message)")
        #expect(try bob.planViolations(of: version).count == 5)
    }

    @Test func theDatabaseReadsQuantitiesDurationsAndVersionsAsWorkshopSpecDoes() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice").connection
        for text in ["256Mi", "1Gi", "512M", "1e9", "1.5Gi", "134217728", "1k", "2Ti", "0.5Ki"] {
            #expect(try alice.execute("SELECT nalabo.quantity_bytes($1)::bigint", [text]).scalar == ByteCount(text).map { String($0.bytes) }, "\(text)")
        }
        for text in ["lots", "1.3", "-1Mi", "1Xi", ""] {
            #expect(try alice.execute("SELECT nalabo.quantity_bytes($1) IS NULL", [text]).scalar == "t", "\(text)")
        }
        for text in ["90s", "45m", "1h30m", "1h30m15s", "168h"] {
            #expect(try alice.execute("SELECT nalabo.duration_seconds($1)", [text]).scalar == SpecDuration(text).map { String($0.seconds) }, "\(text)")
        }
        for version in ["1.0.0", "0.0.1", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "2.1.0-beta.11",
                        "12345678901.0.0"] {
            #expect(try alice.execute("SELECT nalabo.version_order($1)", [version]).scalar == SemanticVersion(version)?.orderKey, "\(version)")
        }
        // The plan table in the database is WorkshopSpec's.
        for plan in Plan.all {
            let row = try #require(try cluster.asOwner().connection.execute("""
                SELECT max_containers, max_memory, max_disk, max_session_seconds, array_to_string(network_modes, ',') AS modes, max_bundle
                FROM nalabo.plans WHERE name = $1
                """, [plan.id]).records.first)
            #expect(row.int("max_containers") == plan.maxContainers && row["max_memory"] == String(plan.maxMemory.bytes)
                    && row["max_disk"] == String(plan.maxDisk.bytes) && row.int("max_session_seconds") == plan.maxSession.seconds
                    && row["modes"] == plan.networkModes.map(\.rawValue).joined(separator: ",") && row["max_bundle"] == String(plan.maxBundle.bytes))
        }
    }
}
