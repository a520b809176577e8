import ArgumentParser
import Catalogue

extension Nalabo.CatalogueCommand {
    struct Local: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "local",
            abstract: "Run a private PostgreSQL catalogue under your XDG data directory, for trying nalabo.",
            discussion: "Needs PostgreSQL's initdb and pg_ctl (Debian: apt-get install postgresql). The cluster listens on a Unix socket only.",
            subcommands: [Start.self, Stop.self, Status.self])

        struct Start: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "start", abstract: "Create (once) and start the cluster, migrate it, and make you its super_admin.")
            func run() async throws {
                let cluster = LocalCluster()
                try await local { try await cluster.start() }
                print("""
                    the local catalogue runs in \(cluster.directory)
                    use it with:
                      export NALABO_DATABASE_URL='\(cluster.url)'
                    """)
            }
        }

        struct Stop: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the cluster; its data stays for the next start.")
            func run() async throws {
                let cluster = LocalCluster()
                try await local { try await cluster.stop() }
                print("the local catalogue is stopped")
            }
        }

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "status", abstract: "Say whether the cluster exists and runs, and how to use it.")
            func run() async throws {
                let cluster = LocalCluster()
                let status = try await local { try await cluster.status() }
                switch (status.exists, status.running) {
                case (false, _): print("no local catalogue yet; `nalabo catalogue local start` creates one")
                case (true, false): print("the local catalogue in \(cluster.directory) is stopped")
                case (true, true): print("the local catalogue runs in \(cluster.directory)\n  export NALABO_DATABASE_URL='\(cluster.url)'")
                }
            }
        }
    }
}

private func local<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let problem as LocalCluster.Problem {
        throw CommandFailure(problem.description).exit()
    } catch let failure as ConnectionFailure {
        throw CommandFailure(failure.description, status: ExitStatus.unreachable).exit()
    } catch let error as PostgresError {
        throw CommandFailure("the local catalogue: \(error.description)").exit()
    } catch let error as CatalogueError {
        throw CommandFailure(error.description, status: ExitStatus.status(for: error)).exit()
    }
}
