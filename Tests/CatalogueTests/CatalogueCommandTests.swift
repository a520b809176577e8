import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

/// The catalogue commands as instructors, learners and admins run them, against the real cluster.
@Suite struct CatalogueCommandTests {
    /// Writes a workshop directory for `slug` and returns its path.
    static func workshopDirectory(_ slug: String, in directory: TemporaryDirectory, version: String = "1.0.0", title: String = "Shell") throws -> String {
        let source = try String(contentsOfFile: goldenDirectory + "/valid/workshop.yaml", encoding: .utf8)
        try directory.write("\(slug)/workshop.yaml", source.replacing("slug: valid", with: "slug: \(slug)")
            .replacing("version: 0.1.0", with: "version: \(version)").replacing("title: My first workshop", with: "title: \(title)"))
        try directory.write("\(slug)/steps/first-file.md", "# First\n")
        try directory.write("\(slug)/checks/says-hello.sh", "grep -qi hello /root/hello.txt\n")
        return directory.path + "/" + slug
    }

    static func environment(_ cluster: TestCatalogue, _ handle: String) -> [String: String] {
        ["NALABO_DATABASE_URL": TestCatalogue.url(user: "\(handle)_\(cluster.suffix)", database: cluster.database)]
    }

    @Test func publishListShowPullYankAndStatsEndToEnd() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        let files = try TemporaryDirectory()
        let path = try Self.workshopDirectory("shell", in: files)
        let alice = Self.environment(cluster, "alice"), bob = Self.environment(cluster, "bob")

        let published = try Nalabo.run(["publish", path], environment: alice)
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.hasPrefix("published alice/shell@1.0.0 (sha256:"))
        let again = try Nalabo.run(["publish", path], environment: alice)
        #expect(again.status == 0)
        #expect(again.stdout.contains("is already published with this content"))

        try files.write("shell/steps/first-file.md", "# Changed\n")
        let conflict = try Nalabo.run(["publish", path], environment: alice)
        #expect(conflict.status == 5)
        #expect(conflict.stderr == "error: version 1.0.0 of shell is already published with other content; bump metadata.version\n")

        let list = try Nalabo.run(["catalogue", "list"], environment: bob)
        #expect(list.stdout.contains("alice/shell  1.0.0    Shell"))
        let json = try Nalabo.run(["catalogue", "list", "--format", "json", "--tag", "getting-started"], environment: bob)
        #expect(json.stdout.contains("\"slug\": \"shell\""))

        let show = try Nalabo.run(["catalogue", "show", "alice/shell"], environment: bob)
        #expect(show.status == 0)
        #expect(show.stdout.contains("steps      1, challenges 1, points 3"))

        let target = try TemporaryDirectory()
        let pulled = try Nalabo.run(["pull", "shell@1.0.0", target.path + "/copy"], environment: bob)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try String(contentsOfFile: target.path + "/copy/steps/first-file.md", encoding: .utf8) == "# First\n")
        #expect(try Nalabo.run(["validate", target.path + "/copy", "--strict"]).status == 0)
        // The pulled directory bundles to the digest that was published.
        let publishedDigest = published.stdout.split(separator: "(").last.map { String($0.dropLast(2)) }
        #expect(try Nalabo.run(["bundle", target.path + "/copy"]).stderr == (publishedDigest ?? "none") + "\n")
        let refused = try Nalabo.run(["pull", "shell", target.path + "/copy"], environment: bob)
        #expect(refused.status == 2)

        #expect(try Nalabo.run(["yank", "alice/shell@1.0.0"], environment: bob).status == 4)
        #expect(try Nalabo.run(["yank", "alice/shell@1.0.0"], environment: alice).status == 0)
        let none = try Nalabo.run(["pull", "shell", target.path + "/again"], environment: bob)
        #expect(none.status == 7)
        #expect(none.stderr.contains("every version of 'alice/shell' is yanked"))

        let stats = try Nalabo.run(["stats", "alice/shell"], environment: alice)
        #expect(stats.stdout == "alice/shell: 0 sessions started, 0 completed, 0 graded by the portal (the others are self-reported)\nno attempts yet\n")
        let whoami = try Nalabo.run(["whoami"], environment: alice)
        #expect(whoami.stdout == "alice (PostgreSQL role alice_\(cluster.suffix)): user, free plan\n")
    }

    @Test func publishValidatesAgainstTheUsersOwnPlan() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let files = try TemporaryDirectory()
        let path = try Self.workshopDirectory("big", in: files)
        let spec = try String(contentsOfFile: path + "/workshop.yaml", encoding: .utf8)
        try files.write("big/workshop.yaml", spec.replacing("memory: 256Mi", with: "memory: 1Gi"))
        let refused = try Nalabo.run(["publish", path], environment: Self.environment(cluster, "alice"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("memory 1Gi exceeds the free plan's limit of 512Mi per container [plan-limit]"))
        try cluster.asOwner().setPlan("alice", to: "pro")
        #expect(try Nalabo.run(["publish", path], environment: Self.environment(cluster, "alice")).status == 0)
    }

    @Test func unreachableDatabaseSaysWhereAndHow() throws {
        let result = try Nalabo.run(["catalogue", "list"], environment: ["NALABO_DATABASE_URL": "host=/nonexistent-socket-dir port=5999 dbname=x"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: cannot connect to the catalogue at host /nonexistent-socket-dir port 5999: "))
        #expect(result.stderr.contains("nalabo catalogue local start") || result.stderr.contains("Start PostgreSQL"))
    }

    @Test func missingLibPQSaysHowToInstallIt() throws {
        // nalabo opens libpq only when a command reaches the catalogue; NALABO_LIBPQ stands for a machine without it.
        let environment = ["NALABO_DATABASE_URL": "host=/nonexistent-socket-dir port=5999 dbname=x", "NALABO_LIBPQ": "/nonexistent/libpq.so.5"]
        for arguments in [["catalogue", "list"], ["whoami"]] {
            let result = try Nalabo.run(arguments, environment: environment)
            #expect(result.status == 3, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: libpq could not be loaded (/nonexistent/libpq.so.5: "), "\(result.stderr)")
            #expect(result.stderr.contains("apt-get install libpq5"))
        }
        // Commands without a catalogue do not need it.
        #expect(try Nalabo.run(["validate", "--help"], environment: environment).status == 0)
    }

    @Test func rolesThatAreNotUsersGetNotPermitted() throws {
        let cluster = try TestCatalogue()
        try cluster.user("mallory", register: false)
        let result = try Nalabo.run(["whoami"], environment: Self.environment(cluster, "mallory"))
        #expect(result.status == 4)
        #expect(result.stderr.contains("is not a nalabo user"))
    }

    @Test(arguments: 1...3)
    func twentyConcurrentPublishersNeverPassTheQuota(_ round: Int) throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let files = try TemporaryDirectory()
        let paths = try (1...20).map { try Self.workshopDirectory("w\($0)", in: files) }
        let environment = Self.environment(cluster, "alice")
        let results = try runConcurrently(paths.map { ["publish", $0] }, environment: environment)
        let statuses = results.map(\.status)
        #expect(statuses.filter { $0 == 0 }.count == 3, "round \(round): \(statuses) \(results.map(\.stderr).filter { !$0.isEmpty && !$0.contains("plan allows") })")
        #expect(statuses.filter { $0 == 6 }.count == 17)
        #expect(try cluster.as("alice").list(mine: true).count == 3)
    }

    @Test func aConnectionKilledMidPublishLeavesNothingAndTheRetrySucceeds() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let files = try TemporaryDirectory()
        let path = try Self.workshopDirectory("killed", in: files)
        let aliceID = try #require(try cluster.asOwner().connection.execute("SELECT id FROM nalabo.users WHERE handle = 'alice'").scalar)
        // Hold the per-owner publish lock (her users row) so the publisher stops inside its transaction.
        let blocker = try cluster.superuserConnection()
        try blocker.execute("BEGIN")
        try blocker.execute("SELECT 1 FROM nalabo.users WHERE id = $1 FOR UPDATE", [aliceID])
        let process = try Nalabo.start(["publish", path], environment: Self.environment(cluster, "alice"))
        let monitor = try cluster.superuserConnection()
        var victim: String?
        for _ in 0..<200 where victim == nil {
            victim = try monitor.execute("""
                SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'nalabo' AND wait_event_type = 'Lock'
                """, [cluster.database]).scalar
            if victim == nil { usleep(25_000) }
        }
        let pid = try #require(victim, "the publisher never waited on the lock")
        try monitor.execute("SELECT pg_terminate_backend($1::integer)", [pid])
        try blocker.execute("ROLLBACK")
        let result = try process.finish()
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("the connection to the catalogue was lost"))
        let owner = try cluster.superuserConnection()
        #expect(try owner.execute("SELECT count(*) FROM nalabo.workshops").scalar == "0")
        #expect(try owner.execute("SELECT count(*) FROM nalabo.workshop_versions").scalar == "0")
        #expect(try owner.execute("SELECT count(*) FROM nalabo.audit_events WHERE action = 'publish'").scalar == "0")
        let retry = try Nalabo.run(["publish", path], environment: Self.environment(cluster, "alice"))
        #expect(retry.status == 0)
        #expect(try Nalabo.run(["publish", path], environment: Self.environment(cluster, "alice")).stdout.contains("nothing changed"))
    }

    @Test func adminCommandsFollowTheRoleRules() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("carol", role: .admin)
        let newcomer = try cluster.user("newbie", register: false)
        let owner = ["NALABO_DATABASE_URL": TestCatalogue.url(user: cluster.owner, database: cluster.database)]
        let carol = Self.environment(cluster, "carol"), alice = Self.environment(cluster, "alice")

        let added = try Nalabo.run(["admin", "users", "add", "newbie", "--db-role", newcomer, "--plan", "pro"], environment: carol)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try Nalabo.run(["whoami"], environment: Self.environment(cluster, "newbie")).stdout.contains("user, pro plan"))
        #expect(try Nalabo.run(["admin", "users", "set-role", "newbie", "admin"], environment: carol).status == 4)
        #expect(try Nalabo.run(["admin", "users", "set-role", "newbie", "admin"], environment: owner).status == 0)
        #expect(try Nalabo.run(["admin", "users", "set-plan", "carol", "team"], environment: alice).status == 4)
        let users = try Nalabo.run(["admin", "users", "list"], environment: alice)
        #expect(users.stdout.split(separator: "\n").count == 2, "alice sees only herself: \(users.stdout)")
        #expect(try Nalabo.run(["admin", "users", "list"], environment: carol).stdout.split(separator: "\n").count == 4)
        #expect(try Nalabo.run(["admin", "users", "add", "ghost", "--db-role", "no_such_role_x"], environment: carol).status == 7)
    }

    /// Starts every command at once and waits for all of them.
    private func runConcurrently(_ commands: [[String]], environment: [String: String]) throws -> [CommandResult] {
        let processes = try commands.map { try Nalabo.start($0, environment: environment) }
        return try processes.map { try $0.finish() }
    }
}
