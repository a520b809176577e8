import ArgumentParser
import Catalogue
import Foundation
import WorkshopSpec

extension Nalabo {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Validate a workshop against your plan and store it in the catalogue as an immutable version.",
            discussion: """
                Publishing the same version with the same content again changes nothing; with other content it is \
                refused: bump metadata.version. Exit codes: 0 published or unchanged, 1 the spec has errors, \
                2 bad arguments, 3 catalogue unreachable, 4 not permitted, 5 version conflict, 6 plan quota exceeded.
                """)

        @Argument(help: "A workshop directory or spec file.", completion: .file())
        var path: String

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: text or json.")
        var format: TableFormat = .text

        func run() throws {
            let catalogue = try database.connect()
            let user = try catalogueCall { try catalogue.whoami() }
            let workshop = try SpecPath.loadValid(path, plan: Plan.named(user.plan))
            let outcome = try catalogueCall { try catalogue.publish(workshop) }
            let address = "\(user.handle)/\(workshop.metadata.slug)@\(workshop.metadata.version)"
            let digest = WorkshopBundle(workshop).digest
            switch format {
            case .json:
                print(JSONValue.object([("address", .string(address)), ("digest", .string(digest)), ("outcome", .string(outcome.rawValue))]).pretty)
            case .text:
                print(outcome == .published
                      ? "published \(address) (\(digest))"
                      : "\(address) is already published with this content (\(digest)); nothing changed")
            }
        }
    }
}
