import Foundation
import Testing

/// `nalabo catalogue local` for real: initdb, pg_ctl, migrate, a super_admin, stop. PostgreSQL refuses to
/// run as root, so when the tests run as root the command runs as the `postgres` user.
@Suite struct LocalCatalogueTests {
    @Test func startMakesAWorkingCatalogueAndStopStopsIt() throws {
        let home = try TemporaryDirectory()
        var prefix: [String] = []
        var user = ProcessInfo.processInfo.environment["USER"] ?? "me"
        var executable = Nalabo.executable
        if getuid() == 0 {
            // A copy the postgres user can reach, wherever the checkout lives.
            executable = home.path + "/nalabo"
            // Copied by cp, not in this process: a file this process has open for writing cannot be executed
            // ("text file busy") while any child spawned meanwhile by a parallel test still inherits the descriptor.
            #expect(try Nalabo.runProcess("/bin/cp", [Nalabo.executable, executable]).status == 0)
            #expect(chmod(home.path, 0o777) == 0)
            prefix = ["/usr/sbin/runuser", "-u", "postgres", "--"]
            user = "postgres"
        }
        func nalabo(_ arguments: [String], _ extra: [String: String] = [:]) throws -> CommandResult {
            var environment = ["HOME": home.path, "XDG_DATA_HOME": home.path + "/data", "USER": user, "NALABO_LOCAL_PGPORT": "54391"]
            environment.merge(extra) { _, new in new }
            let command = prefix + ["/usr/bin/env"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [executable] + arguments
            return try Nalabo.runProcess(command[0], Array(command.dropFirst()))
        }
        defer { _ = try? nalabo(["catalogue", "local", "stop"]) }

        #expect(try nalabo(["catalogue", "local", "status"]).stdout.hasPrefix("no local catalogue yet"))
        let started = try nalabo(["catalogue", "local", "start"])
        #expect(started.status == 0, "\(started.stderr)")
        let url = try #require(started.stdout.split(separator: "'").dropFirst().first.map(String.init))
        #expect(url.hasPrefix("postgresql:///nalabo?host=\(home.path)/data/nalabo/postgres&port=54391&user=\(user)"))
        let whoami = try nalabo(["whoami"], ["NALABO_DATABASE_URL": url])
        #expect(whoami.stdout == "\(user) (PostgreSQL role \(user)): super_admin, team plan\n")
        // Starting again is harmless.
        #expect(try nalabo(["catalogue", "local", "start"]).status == 0)
        #expect(try nalabo(["catalogue", "local", "stop"]).stdout == "the local catalogue is stopped\n")
        #expect(try nalabo(["catalogue", "local", "status"]).stdout.contains("is stopped"))
        #expect(try nalabo(["whoami"], ["NALABO_DATABASE_URL": url]).status == 3)
    }
}
