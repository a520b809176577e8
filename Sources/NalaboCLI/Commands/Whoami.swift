import ArgumentParser
import Catalogue
import WorkshopSpec

extension Nalabo {
    struct Whoami: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the nalabo user your PostgreSQL role maps to: handle, role and plan.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: text or json.")
        var format: TableFormat = .text

        func run() throws {
            let catalogue = try database.connect()
            let user = try catalogueCall { try catalogue.whoami() }
            switch format {
            case .json:
                print(JSONValue.object([
                    ("handle", .string(user.handle)), ("db_role", .string(user.databaseRole)),
                    ("role", .string(user.role.rawValue)), ("plan", .string(user.plan)),
                ]).pretty)
            case .text:
                print("\(user.handle) (PostgreSQL role \(user.databaseRole)): \(user.role.rawValue), \(user.plan) plan")
            }
        }
    }
}
