import ArgumentParser
import Catalogue
import Foundation
import WorkshopSpec

extension EventRecord.Registration: ExpressibleByArgument {}

extension Nalabo.Admin {
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "Events: classes in the portal, with their workshops, capacity and length (admins).",
            subcommands: [Add.self, List.self, Show.self, Close.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an event.")
            @Argument(help: "The event's name: a lowercase label, part of its URL (/events/NAME).") var name: String
            @Option(help: "The title learners see; default the name.") var title: String?
            @Option(name: .customLong("workshop"), help: "OWNER/SLUG or OWNER/SLUG@VERSION (repeatable; at least one).")
            var workshops: [String] = []
            @Option(help: "Sessions running at once, at most.") var capacity: Int = 30
            @Option(help: "Sessions kept started ahead, ready for the next learners.") var reserved: Int = 0
            @Option(name: .customLong("per-learner"), help: "Sessions one learner may have at once.") var perLearner: Int = 1
            @Option(help: "Each session's length (30m, 2h); default the workshop's limits.session.") var expires: String?
            @Option(help: "How long after its start a session may be extended to (Extend); default no extension.") var deadline: String?
            @Option(help: "End a session whose page has been closed this long.") var orphaned: String?
            @Option(name: .customLong("access-code"), help: "A code learners must enter (stored as a hash).") var accessCode: String?
            @Option(help: "accounts (learners log in) or anonymous (a display name gives a guest account).")
            var registration: EventRecord.Registration = .accounts
            @Option(help: "When it opens (ISO 8601, such as 2026-12-03T09:00:00Z); default now.") var opens: String?
            @Option(help: "When it closes (ISO 8601).") var closes: String?
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                guard !workshops.isEmpty else {
                    throw CommandFailure("an event needs at least one --workshop OWNER/SLUG[@VERSION]", status: ExitStatus.couldNotRun).exit()
                }
                for workshop in workshops where WorkshopAddress(workshop)?.owner == nil {
                    throw CommandFailure("--workshop \(workshop) is not OWNER/SLUG or OWNER/SLUG@VERSION", status: ExitStatus.couldNotRun).exit()
                }
                var definition = EventDefinition(name: name, workshops: workshops, capacity: capacity)
                definition.title = title
                definition.reserved = reserved
                definition.perLearner = perLearner
                definition.sessionSeconds = try expires.map { try Self.seconds($0, "--expires") }
                definition.deadlineSeconds = try deadline.map { try Self.seconds($0, "--deadline") }
                definition.orphanSeconds = try orphaned.map { try Self.seconds($0, "--orphaned") }
                definition.accessCode = accessCode
                definition.registration = registration
                definition.opensAt = try opens.map { try Self.date($0, "--opens") }
                definition.closesAt = try closes.map { try Self.date($0, "--closes") }
                try catalogueCall { try database.connect().createEvent(definition) }
                print("created event \(name): \(workshops.joined(separator: ", ")), capacity \(capacity)")
            }

            static func seconds(_ text: String, _ option: String) throws -> Int {
                guard let duration = SpecDuration(text) else {
                    throw CommandFailure("\(option) is \(text); write a duration such as 45m or 2h", status: ExitStatus.couldNotRun).exit()
                }
                return duration.seconds
            }

            static func date(_ text: String, _ option: String) throws -> Date {
                guard let date = ISO8601DateFormatter().date(from: text) else {
                    throw CommandFailure("\(option) is \(text); write an ISO 8601 time such as 2026-12-03T09:00:00Z", status: ExitStatus.couldNotRun).exit()
                }
                return date
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List events.")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let events = try catalogueCall { try database.connect().events() }
                print(table(["EVENT", "TITLE", "RUNNING", "CAPACITY", "REGISTRATION", "STATUS"], events.map {
                    [$0.name, $0.title, String($0.running), String($0.capacity), $0.registration.rawValue, $0.closed ? "closed" : "open"]
                }), terminator: "")
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one event.")
            @Argument var name: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                guard let event = try catalogueCall({ try database.connect().events(named: name) }).first else {
                    throw CommandFailure("no event \(name); `nalabo admin events list` shows them", status: ExitStatus.notFound).exit()
                }
                let length = event.sessionSeconds.map { "\($0 / 60) min" } ?? "the workshop's"
                print("""
                    event:        \(event.name) — \(event.title)
                    workshops:    \(event.workshops.joined(separator: ", "))
                    sessions:     \(event.running) running of \(event.capacity); \(event.perLearner) per learner; \(event.reserved) reserved
                    length:       \(length)\(event.deadlineSeconds.map { ", extendable to \($0 / 60) min" } ?? "")
                    registration: \(event.registration.rawValue)\(event.hasAccessCode ? ", with an access code" : "")
                    status:       \(event.closed ? "closed" : "open")\(event.opensAt.map { ", opens \($0)" } ?? "")\(event.closesAt.map { ", closes \($0)" } ?? "")
                    """)
            }
        }

        struct Close: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "close", abstract: "Close an event: no new sessions start (running ones go on).")
            @Argument var name: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().closeEvent(name) }
                print("closed \(name)")
            }
        }
    }
}
