import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

/// Per-owner isolation is enforced by PostgreSQL itself: these tests connect as different login roles and
/// try, with the catalogue API and with raw SQL, everything the policies forbid.
@Suite struct IsolationTests {
    @Test func everyTableHasRowLevelSecurityAndUserRolesOwnNothing() throws {
        let cluster = try TestCatalogue()
        let alice = try cluster.user("alice")
        let admin = try cluster.user("carol", role: .admin)
        let database = try cluster.superuserConnection()
        let tables = try database.execute("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND (n.nspname = 'nalabo' OR (n.nspname = 'public' AND c.relname = 'nalabo_migrations'))
            ORDER BY 1
            """).records
        // The catalogue's ten, and the portal's seven (migration 3): credentials, login failures, web sessions,
        // tokens, events, their workshops, guests.
        #expect(tables.compactMap { $0["relname"] }.sorted() == [
            "api_tokens", "audit_events", "challenge_attempts", "challenge_progress", "challenges", "credentials", "event_workshops",
            "events", "guests", "lab_records", "login_failures", "nalabo_migrations", "plans", "users", "web_sessions", "workshop_sessions",
            "workshop_versions", "workshops"])
        // Row-level security is on everywhere; only the catalogue's owner, which runs the definer functions
        // that write, bypasses it (no user role can act as the owner).
        for table in tables {
            #expect(table.bool("relrowsecurity"), "\(table["relname"] ?? "")")
        }
        for role in [alice, admin, "nalabo_user"] {
            let attributes = try #require(try database.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", [role]).records.first)
            #expect(!attributes.bool("rolsuper") && !attributes.bool("rolbypassrls"), "\(role)")
            let owned = try database.execute("""
                SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1
                """, [role]).scalar
            #expect(owned == "0", "\(role) owns relations")
        }
        // Every policy-bearing table has policies; writes have WITH CHECK.
        let unchecked = try database.execute("""
            SELECT tablename, policyname FROM pg_policies
            WHERE schemaname = 'nalabo' AND cmd IN ('INSERT', 'UPDATE', 'ALL') AND with_check IS NULL
            """).rows
        #expect(unchecked.isEmpty, "\(unchecked)")
    }

    @Test func nobodyPublishesAsSomeoneElseOrTakesTheirWorkshop() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        let alice = try cluster.as("alice")
        _ = try alice.publish(workshop("shell"))
        let bob = try cluster.as("bob").connection
        let aliceID = try #require(try cluster.asOwner().connection.execute("SELECT id FROM nalabo.users WHERE handle = 'alice'").scalar)
        let workshopID = try #require(try bob.execute("SELECT id FROM nalabo.workshops").scalar)
        // A workshop in Alice's name.
        expectRefused { try bob.execute("INSERT INTO nalabo.workshops (owner_id, slug) VALUES ($1, 'stolen')", [aliceID]) }
        // A version of Alice's workshop, even claiming to be published by Alice.
        expectRefused {
            try bob.execute("""
                INSERT INTO nalabo.workshop_versions (workshop_id, version, version_order, digest, bundle, title, published_by)
                VALUES ($1, '9.9.9', 'x', 'sha256:' || repeat('0', 64), '{}', 't', $2)
                """, [workshopID, aliceID])
        }
        // Handing a workshop to another owner, deleting it, rewriting a published version.
        expectRefused { try bob.execute("UPDATE nalabo.workshops SET owner_id = $2 WHERE id = $1", [workshopID, aliceID]) }
        expectRefused { try bob.execute("DELETE FROM nalabo.workshop_versions") }
        expectRefused { try bob.execute("UPDATE nalabo.workshop_versions SET title = 'defaced'") }
        #expect(try bob.execute("UPDATE nalabo.workshop_versions SET yanked_at = now() RETURNING id").rows.isEmpty)
        // Alice herself cannot rewrite her published content either: versions are immutable.
        expectRefused { try alice.connection.execute("UPDATE nalabo.workshop_versions SET title = 'changed'") }
        #expect(try alice.resolve(WorkshopAddress(slug: "shell")).title == "A workshop")
        // Through the API the refusal is a clear "not permitted".
        #expect(throws: CatalogueError.notPermitted("only the owner of 'alice/shell' or an admin can yank it")) {
            try cluster.as("bob").yank(WorkshopAddress(slug: "shell", version: "1.0.0"))
        }
    }

    @Test func learnersSeeOnlyTheirSessionsInstructorsTheirWorkshopsAdminsAll() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        try cluster.user("dave")
        try cluster.user("carol", role: .admin)
        _ = try cluster.as("alice").publish(workshop("shell"))
        let version = try cluster.as("bob").resolve(WorkshopAddress(slug: "shell"))
        let bob = try cluster.as("bob")
        let session = try bob.startSession(version: version)
        try bob.recordAttempt(session: session, challenge: "make-dir", passed: false, points: 0)
        _ = try cluster.as("dave").startSession(version: version)

        #expect(try bob.sessions().map(\.learner) == ["bob"])
        #expect(try Set(cluster.as("alice").sessions().map(\.learner)) == ["bob", "dave"])
        #expect(try cluster.as("carol").sessions().count == 2)
        let dave = try cluster.as("dave").connection
        #expect(try dave.execute("SELECT count(*) FROM nalabo.challenge_attempts").scalar == "0")
        // Dave can neither record attempts in Bob's session nor end it.
        expectRefused { try dave.execute("INSERT INTO nalabo.challenge_attempts (session_id, challenge, passed) VALUES ($1::uuid, 'make-dir', true)", [session]) }
        #expect(throws: CatalogueError.notFound("no session \(session) of yours")) { try cluster.as("dave").endSession(session) }
        // Nor start a session in Bob's name.
        let bobID = try #require(try cluster.asOwner().connection.execute("SELECT id FROM nalabo.users WHERE handle = 'bob'").scalar)
        expectRefused {
            try dave.execute("INSERT INTO nalabo.workshop_sessions (learner_id, version_id, expires_at) VALUES ($1, $2, now())", [bobID, String(version.id)])
        }
    }

    @Test func usersCannotChangeTheirOwnPlanOrRoleAndOnlySuperAdminsChangeRoles() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        try cluster.user("carol", role: .admin)
        try cluster.user("sam", role: .superAdmin)
        let alice = try cluster.as("alice")
        #expect(try alice.users().map(\.handle) == ["alice"], "a user sees only themselves")
        // Row-level security hides her row from UPDATE: zero rows change.
        #expect(try alice.connection.execute("UPDATE nalabo.users SET plan = 'team', role = 'super_admin' WHERE handle = 'alice' RETURNING id").rows.isEmpty)
        #expect(try alice.whoami().plan == "free")
        #expect(throws: CatalogueError.notPermitted("no user 'alice' that you may change (admins change plans; super_admins change roles)")) {
            try alice.setPlan("alice", to: "team")
        }

        let carol = try cluster.as("carol")
        try carol.setPlan("alice", to: "pro")
        #expect(try alice.whoami().plan == "pro")
        #expect(throws: CatalogueError.notPermitted("only a super_admin changes roles or changes an admin")) { try carol.setRole("bob", to: .admin) }
        #expect(throws: CatalogueError.notPermitted("you cannot change your own plan, role or status")) { try carol.setPlan("carol", to: "team") }
        #expect(throws: CatalogueError.notPermitted("new row violates row-level security policy for table \"users\"")) {
            try carol.addUser(handle: "eve", databaseRole: try cluster.user("eve", register: false), role: .admin)
        }

        let sam = try cluster.as("sam")
        try sam.setRole("bob", to: .admin)
        #expect(try cluster.as("bob").whoami().role == .admin)
        try sam.setDisabled("alice", true)
        #expect(throws: CatalogueError.notAUser(role: "alice_\(cluster.suffix)")) { try cluster.as("alice").whoami() }
        // A disabled user is an unknown caller: reads fail closed.
        #expect(try cluster.as("alice").list().isEmpty)
        let audit = try sam.connection.execute("SELECT action || ' ' || target FROM nalabo.audit_events WHERE action LIKE 'user.set%' OR action = 'user.disable' ORDER BY id").rows.compactMap { $0.first ?? nil }
        #expect(audit == ["user.set-plan alice", "user.set-role bob", "user.disable alice"])
    }

    @Test func rolesThatAreNotNalaboUsersAreRefused() throws {
        let cluster = try TestCatalogue()
        let stranger = try cluster.user("mallory", register: false)
        // Without the nalabo_user grant the schema is not even visible.
        let catalogue = try cluster.as("mallory")
        #expect(throws: CatalogueError.self) { try catalogue.list() }
        #expect(throws: CatalogueError.notAUser(role: stranger)) { try catalogue.whoami() }
    }
}
