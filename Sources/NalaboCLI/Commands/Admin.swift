import ArgumentParser
import Catalogue
import WorkshopSpec

extension Nalabo {
    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "admin",
            abstract: "Administer users, workshops and sessions (admins; roles by super_admins; always the database owner).",
            subcommands: [Users.self, Workshops.self, Sessions.self, Events.self])
    }
}

extension UserRole: ExpressibleByArgument {}

extension Nalabo.Admin {
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "List and change nalabo users.",
            subcommands: [List.self, Add.self, Passwd.self, SetPlan.self, SetRole.self, Disable.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List users with their roles and plans.")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let users = try catalogueCall { try database.connect().users() }
                print(table(["HANDLE", "POSTGRESQL ROLE", "ROLE", "PLAN", "STATUS"], users.map {
                    [$0.handle, $0.databaseRole, $0.role.rawValue, $0.plan, $0.disabled ? "disabled" : "active"]
                }), terminator: "")
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Map an existing PostgreSQL login role to a new nalabo user.",
                discussion: "Creating the login role and its password stays with the DBA: CREATE ROLE NAME LOGIN PASSWORD '...'.")
            @Argument(help: "The user's handle: a lowercase label.") var handle: String
            @Option(help: "free, pro or team.") var plan: String = Plan.free.id
            @Option(help: "user, admin or super_admin.") var role: UserRole = .user
            @Option(name: .customLong("db-role"), help: "The PostgreSQL login role; default the handle.") var databaseRole: String?
            @Flag(name: .customLong("password-stdin"), help: "Also set a portal password, read from standard input (one line).")
            var passwordStdin = false
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let password = try passwordStdin ? readPassword() : nil
                let catalogue = try database.connect()
                try catalogueCall { try catalogue.addUser(handle: handle, databaseRole: databaseRole ?? handle, role: role, plan: plan) }
                if let password { try catalogueCall { try catalogue.setPassword(handle, password: password) } }
                print("added \(handle) (PostgreSQL role \(databaseRole ?? handle)) as \(role.rawValue) on the \(plan) plan"
                      + (password == nil ? "" : ", with a portal password"))
            }
        }

        struct Passwd: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "passwd",
                abstract: "Set a user's portal password (your own, or as an admin another user's); ends their web sessions.",
                discussion: "The password is read from standard input with --password-stdin, never from an argument, and stored as an Argon2id hash.")
            @Argument var handle: String
            @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one line). Required.")
            var passwordStdin = false
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                guard passwordStdin else {
                    throw CommandFailure("give the password on standard input with --password-stdin (never as an argument)", status: ExitStatus.couldNotRun).exit()
                }
                let password = try readPassword()
                try catalogueCall { try database.connect().setPassword(handle, password: password) }
                print("set the portal password of \(handle)")
            }
        }

        struct SetPlan: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set-plan", abstract: "Change a user's plan.")
            @Argument var handle: String
            @Argument(help: "free, pro or team.") var plan: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().setPlan(handle, to: plan) }
                print("\(handle) is on the \(plan) plan")
            }
        }

        struct SetRole: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change a user's role (super_admins only).")
            @Argument var handle: String
            @Argument(help: "user, admin or super_admin.") var role: UserRole
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().setRole(handle, to: role) }
                print("\(handle) is now \(role.rawValue)")
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a user (--undo enables them again); a disabled user's role can do nothing.")
            @Argument var handle: String
            @Flag(help: "Enable the user again.") var undo = false
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().setDisabled(handle, !undo) }
                print(undo ? "\(handle) is enabled" : "\(handle) is disabled")
            }
        }
    }

    struct Workshops: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "workshops", abstract: "List, yank and unyank any workshop version.", subcommands: [List.self, Yank.self, Unyank.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List every version, yanked ones included.")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let versions = try catalogueCall { try database.connect().allVersions() }
                print(table(["WORKSHOP", "VERSION", "TITLE", "STATUS"], versions.map {
                    ["\($0.owner)/\($0.slug)", $0.version, $0.title, $0.yanked ? "yanked" : "published"]
                }), terminator: "")
            }
        }

        struct Yank: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "yank", abstract: "Yank any version.")
            @Argument(help: "OWNER/SLUG@VERSION") var address: WorkshopAddress
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().yank(address) }
                print("yanked \(address)")
            }
        }

        struct Unyank: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "unyank", abstract: "Bring back any yanked version.")
            @Argument(help: "OWNER/SLUG@VERSION") var address: WorkshopAddress
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try catalogueCall { try database.connect().yank(address, undo: true) }
                print("\(address) is available again")
            }
        }
    }

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sessions", abstract: "Learner sessions.", subcommands: [List.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the newest sessions you may see (all of them for admins).")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let sessions = try catalogueCall { try database.connect().sessions() }
                print(table(["SESSION", "LEARNER", "WORKSHOP", "STATUS", "SCORE", "STARTED"], sessions.map {
                    [$0.id, $0.learner, $0.workshop, $0.status, String($0.score), $0.startedAt]
                }), terminator: "")
            }
        }
    }
}

/// One line of standard input, without its line ending; refuses an empty one.
func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CommandFailure("no password on standard input; pipe one line into --password-stdin", status: ExitStatus.couldNotRun).exit()
    }
    return line
}
