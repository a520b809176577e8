import ArgumentParser
import Catalogue

extension TokenScope: ExpressibleByArgument {}

extension Nalabo {
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tokens",
            abstract: "Personal access tokens for the portal's API (Authorization: Bearer), for scripts and CI.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "create",
                abstract: "Create a token; it is printed once and stored only as its hash.")
            @Argument(help: "A name to tell it by.") var name: String
            @Option(name: .customLong("scope"), help: "read, sessions or admin (repeatable); default read and sessions.")
            var scopes: [TokenScope] = []
            @Option(help: "Days until it expires (1 to 366).") var days = 30
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let chosen = scopes.isEmpty ? [.read, .sessions] : scopes
                let (id, token) = try catalogueCall { try database.connect().createToken(name: name, scopes: chosen, days: days) }
                Terminal.standardError.write("created token \(id) (\(chosen.map(\.rawValue).joined(separator: ", ")), \(days) days); it is shown only now:\n")
                print(token.text)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List your tokens (never their secrets).")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let tokens = try catalogueCall { try database.connect().tokens() }
                print(table(["ID", "NAME", "SCOPES", "EXPIRES", "LAST USED", "STATUS"], tokens.map {
                    [$0.id, $0.name, $0.scopes.joined(separator: ","), $0.expiresAt, $0.lastUsedAt ?? "never", $0.revoked ? "revoked" : "live"]
                }), terminator: "")
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token; it stops working at once.")
            @Argument(help: "The token's id (from `nalabo tokens list`).") var id: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().revokeToken(id) }
                print("revoked \(id)")
            }
        }
    }
}
