/// A catalogue operation that could not be done, in terms a user can act on.
public enum CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached, or the connection was lost.
    case unreachable(String)
    /// PostgreSQL refused: row-level security, a missing privilege, or a guard trigger.
    case notPermitted(String)
    /// The connecting role is not mapped to a nalabo user (or is disabled).
    case notAUser(role: String)
    /// A version already exists with other content, or was yanked.
    case conflict(String, hint: String?)
    /// The owner's plan allows no more published workshops, or the workshop exceeds the plan's limits.
    case quotaExceeded(String, hint: String?)
    /// The database refused a value (a malformed bundle, text against the catalogue's rules).
    case invalid(String, hint: String?)
    case notFound(String)
    /// The slug belongs to several owners; name one.
    case ambiguous(slug: String, owners: [String])
    /// The schema is missing, newer than this nalabo, or was edited.
    case schema(String)
    /// Anything else PostgreSQL reported.
    case database(String)

    public var description: String {
        switch self {
        case .unreachable(let message): message
        case .notPermitted(let message): "not permitted: \(message)"
        case .notAUser(let role):
            "not permitted: the PostgreSQL role '\(role)' is not a nalabo user (or is disabled); an admin adds it with `nalabo admin users add HANDLE --db-role \(role)`"
        case .conflict(let message, let hint): message + (hint.map { "; \($0)" } ?? "")
        case .quotaExceeded(let message, let hint), .invalid(let message, let hint): message + (hint.map { "; \($0)" } ?? "")
        case .notFound(let what): what
        case .ambiguous(let slug, let owners):
            "'\(slug)' is published by \(owners.count) owners (\(owners.joined(separator: ", "))); write OWNER/\(slug)"
        case .schema(let message): message
        case .database(let message): message
        }
    }

    /// Turns a PostgreSQL error into what it means for the user.
    public static func from(_ error: PostgresError) -> CatalogueError {
        let hint = error.hint
        switch error.sqlState {
        case "42501": return .notPermitted(error.message)
        case "NL402": return .quotaExceeded(error.message, hint: hint)
        case "NL409": return .conflict(error.message, hint: hint)
        case "P0002": return .notFound(error.message)
        case "22023", "23514": return .invalid(error.message, hint: hint)
        case "3F000", "42P01": return .schema("the catalogue has no nalabo schema; run `nalabo catalogue migrate` as the database owner")
        case let state where state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03":
            return .unreachable("the connection to the catalogue was lost: \(error.message); nothing was half-written, try again")
        default: return .database(error.description)
        }
    }
}
