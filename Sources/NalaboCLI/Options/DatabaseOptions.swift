import ArgumentParser
import Catalogue
import Foundation

/// `--database-url`, shared by every command that talks to the catalogue.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "The catalogue's PostgreSQL URL; default NALABO_DATABASE_URL, then libpq's PGHOST, PGDATABASE, PGUSER, PGSERVICE, ~/.pgpass.")
    var databaseURL: String?

    /// How a library service opens the catalogue when it must record something (errors are its to report).
    var opener: @Sendable () throws -> Catalogue {
        let option = databaseURL
        return { try Catalogue(ConnectionSettings.resolve(option: option, environment: ProcessInfo.processInfo.environment)) }
    }

    /// Connects, turning failures into the documented exit codes.
    func connect() throws -> Catalogue {
        try catalogueCall {
            try Catalogue(ConnectionSettings.resolve(option: databaseURL, environment: ProcessInfo.processInfo.environment))
        }
    }
}

/// Runs a catalogue operation; a ``CatalogueError`` becomes its message on standard error and its exit code.
func catalogueCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CatalogueError {
        throw CommandFailure(error.description, status: ExitStatus.status(for: error)).exit()
    }
}

extension ExitStatus {
    /// The catalogue unreachable (or the connection lost).
    static let unreachable: Int32 = 3
    /// PostgreSQL refused: not a user, row-level security, a guard.
    static let notPermitted: Int32 = 4
    /// A version conflict: the same version with other content, or a yanked version.
    static let conflict: Int32 = 5
    /// The plan's quota of published workshops is used up, or the workshop exceeds the plan's limits.
    static let quotaExceeded: Int32 = 6
    /// The workshop, version or user does not exist.
    static let notFound: Int32 = 7

    static func status(for error: CatalogueError) -> Int32 {
        switch error {
        case .unreachable: unreachable
        case .notPermitted, .notAUser: notPermitted
        case .conflict: conflict
        case .quotaExceeded: quotaExceeded
        case .notFound, .ambiguous: notFound
        case .schema, .database, .invalid: couldNotRun
        }
    }
}

/// Parses `[OWNER/]SLUG[@VERSION]` arguments.
extension WorkshopAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
