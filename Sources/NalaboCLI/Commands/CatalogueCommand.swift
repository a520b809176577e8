import ArgumentParser
import Catalogue
import LabService
import Foundation
import WorkshopSpec

extension Nalabo {
    struct CatalogueCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalogue",
            abstract: "Browse the catalogue and manage its database.",
            subcommands: [List.self, Show.self, Migrate.self, Local.self])
    }
}

extension Nalabo.CatalogueCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List workshops: the newest version of each that is not yanked.")

        @Option(help: "Only workshops with this tag.") var tag: String?
        @Option(help: "Only workshops whose slug, title or summary contains this text.") var search: String?
        @Flag(help: "Only your own workshops.") var mine = false
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let catalogue = try database.connect()
            let listings = try catalogueCall { try catalogue.list(tag: tag, search: search, mine: mine) }
            switch format {
            case .json:
                print(JSONValue.array(listings.map { listing in
                    .members([
                        ("owner", .string(listing.owner)), ("slug", .string(listing.slug)), ("version", .string(listing.version)),
                        ("title", .string(listing.title)), ("summary", .string(listing.summary)),
                        ("tags", .array(listing.tags.map(JSONValue.string))), ("published_at", .string(listing.publishedAt)),
                    ])
                }).pretty)
            case .text:
                guard !listings.isEmpty else { print("no workshops match"); return }
                print(table(["WORKSHOP", "VERSION", "TITLE", "TAGS"], listings.map {
                    ["\($0.owner)/\($0.slug)", $0.version, $0.title, $0.tags.joined(separator: ",")]
                }), terminator: "")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a workshop version: title, digest, steps, challenges and other versions.")

        @Argument(help: "[OWNER/]SLUG[@VERSION]") var address: WorkshopAddress
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let catalogue = try database.connect()
            let version = try catalogueCall { try catalogue.resolve(address) }
            let workshop = try storedWorkshop(version)
            switch format {
            case .json:
                print(JSONValue.members([
                    ("address", .string(version.address.description)), ("title", .string(version.title)),
                    ("digest", .string(version.digest)), ("published_at", .string(version.publishedAt)),
                    ("yanked_at", .string(version.yankedAt)),
                    ("steps", .array(workshop.steps.map { .string($0.id) })),
                    ("challenges", .array(workshop.challenges.map { .string($0.id) })),
                    ("versions", .array(version.versions.map { .object([("version", .string($0.version)), ("yanked", .bool($0.yanked))]) })),
                ]).pretty)
            case .text:
                var lines = ["\(version.address)  \(version.title.terminalSafe(singleLine: true))" + (version.yankedAt != nil ? "  [yanked]" : "")]
                if let summary = workshop.metadata.summary { lines.append(summary.terminalSafe()) }
                lines.append("digest     \(version.digest)")
                lines.append("published  \(version.publishedAt)")
                lines.append("images     \(workshop.environment.containers.map(\.image).joined(separator: ", "))")
                lines.append("steps      \(workshop.steps.count), challenges \(workshop.challenges.count), points \(workshop.challenges.reduce(0) { $0 + $1.maxPoints })")
                lines.append("versions   " + version.versions.map { $0.version + ($0.yanked ? " (yanked)" : "") }.joined(separator: ", "))
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Create or upgrade the catalogue's schema. Run it as the database owner (a role with CREATEROLE).",
            discussion: "Safe to run again and from several places at once: an advisory lock serialises migrators.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let catalogue = try database.connect()
            do {
                let outcome = try Migrator(catalogue.connection).run()
                print(outcome.applied.isEmpty
                      ? "the catalogue's schema is up to date (version \(outcome.version))"
                      : "applied migration\(outcome.applied.count == 1 ? "" : "s") \(outcome.applied.map(String.init).joined(separator: ", ")); the schema is at version \(outcome.version)")
            } catch let problem as Migrator.Problem {
                throw CommandFailure(problem.description).exit()
            } catch let error as PostgresError {
                throw CommandFailure("migration failed: \(error.description)", status: ExitStatus.status(for: CatalogueError.from(error))).exit()
            }
        }
    }
}

/// The workshop of a stored version, checked against its digest.
func storedWorkshop(_ version: PublishedVersion) throws -> Workshop {
    do {
        return try LabService.workshop(of: version)
    } catch let damaged as LabService.DamagedBundle {
        throw CommandFailure(damaged.description).exit()
    }
}

/// Aligned columns with a header.
func table(_ header: [String], _ rows: [[String]]) -> String {
    // Cells carry other people's text (titles, handles): no control characters reach the terminal.
    let all = [header] + rows.map { $0.map { $0.terminalSafe(singleLine: true) } }
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
        }.joined()
    }.joined(separator: "\n") + "\n"
}
