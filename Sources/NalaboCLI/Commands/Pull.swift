import ArgumentParser
import Catalogue
import Foundation
import WorkshopSpec

extension Nalabo {
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            abstract: "Write a published workshop back as a directory: workshop.yaml and the files it references.",
            discussion: "The bundle is checked against its digest, and the written directory is validated again.")

        @Argument(help: "[OWNER/]SLUG[@VERSION]") var address: WorkshopAddress
        @Argument(help: "The directory to write; default the slug.", completion: .directory) var directory: String?
        @Flag(help: "Write into a directory that is not empty.") var force = false
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let catalogue = try database.connect()
            let version = try catalogueCall { try catalogue.resolve(address) }
            _ = try storedWorkshop(version)
            let bundle = try StoredBundle(json: version.bundleJSON)
            let root = URL(fileURLWithPath: directory ?? version.slug)
            let manager = FileManager.default
            if !force, let contents = try? manager.contentsOfDirectory(atPath: root.path), !contents.isEmpty {
                throw CommandFailure("'\(root.path)' is not empty; choose another directory or use --force").exit()
            }
            do {
                var files = bundle.files.mapValues { Array($0.utf8) }.merging(bundle.binaryFiles) { text, _ in text }
                files["workshop.yaml"] = Array(bundle.specYAML.utf8)
                for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
                    // Paths were confined to the workshop directory when published; check again before writing.
                    guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                        throw CommandFailure("the bundle names an unsafe path '\(path)'; nothing more was written")
                    }
                    let url = root.appendingPathComponent(path)
                    try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(bytes).write(to: url, options: .atomic)
                }
            } catch let failure as CommandFailure {
                throw failure.exit()
            } catch {
                throw CommandFailure("cannot write into '\(root.path)': \(describe(error))").exit()
            }
            let again = SpecLoader(plan: nil).load(path: root.appendingPathComponent("workshop.yaml").path)
            guard let workshop = again.workshop, WorkshopBundle(workshop).digest == version.digest else {
                throw CommandFailure("the written workshop does not validate to the published digest; please report this").exit()
            }
            print("wrote \(version.address) to \(root.path) (\(version.digest))" + (version.yankedAt != nil ? "; note: this version is yanked" : ""))
        }
    }

    struct Yank: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "yank",
            abstract: "Retire a published version without deleting it (--undo brings it back).",
            discussion: "A yanked version is no longer the default for its workshop, still resolves by its exact version, and its number is never reused.")

        @Argument(help: "[OWNER/]SLUG@VERSION") var address: WorkshopAddress
        @Flag(help: "Bring a yanked version back.") var undo = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard address.version != nil else { throw ValidationError("name the version: \(address)@VERSION") }
        }

        func run() throws {
            let catalogue = try database.connect()
            try catalogueCall { try catalogue.yank(address, undo: undo) }
            print(undo ? "\(address) is available again" : "yanked \(address)")
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Show where learners get stuck: sessions, and per challenge the pass rate, attempts and median time to pass.")

        @Argument(help: "[OWNER/]SLUG") var address: WorkshopAddress
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let catalogue = try database.connect()
            let stats = try catalogueCall { try catalogue.stats(address) }
            switch format {
            case .json:
                print(JSONValue.object([
                    ("workshop", .string(stats.address.description)),
                    ("sessions_started", .int(Int64(stats.sessionsStarted))),
                    ("sessions_completed", .int(Int64(stats.sessionsCompleted))),
                    ("sessions_verified", .int(Int64(stats.sessionsVerified))),
                    ("challenges", .array(stats.challenges.map { challenge in
                        .members([
                            ("id", .string(challenge.id)), ("grading", .string(challenge.grading)), ("sessions", .int(Int64(challenge.sessions))),
                            ("passed", .int(Int64(challenge.passed))), ("attempts", .int(Int64(challenge.attempts))),
                            ("pass_rate", .double(challenge.passRate)),
                            ("median_seconds_to_pass", challenge.medianSecondsToPass.map(JSONValue.double)),
                        ])
                    })),
                ]).pretty)
            case .text:
                print("\(stats.address): \(stats.sessionsStarted) sessions started, \(stats.sessionsCompleted) completed, "
                      + "\(stats.sessionsVerified) graded by the portal (the others are self-reported)")
                guard !stats.challenges.isEmpty else { print("no attempts yet"); return }
                print(table(["CHALLENGE", "GRADING", "PASS RATE", "PASSED", "ATTEMPTS", "MEDIAN TIME TO PASS"], stats.challenges.map {
                    [$0.id, $0.grading, "\(Int(($0.passRate * 100).rounded()))%", "\($0.passed)/\($0.sessions)", String($0.attempts),
                     $0.medianSecondsToPass.map { SpecDuration(seconds: Int($0.rounded())).description } ?? "-"]
                }), terminator: "")
            }
        }
    }
}
