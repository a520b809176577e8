/// An error PostgreSQL reported, with its SQLSTATE.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, such as `42501` (insufficient privilege).
    public var sqlState: String
    public var message: String
    public var detail: String?
    public var hint: String?

    public var description: String {
        [message, detail, hint.map { "hint: \($0)" }].compactMap { $0 }.joined(separator: "; ")
    }

    /// Whether retrying the whole transaction can succeed: serialization failure or deadlock.
    public var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// A kept plan whose result the schema changed under (a migration altered its columns): prepared again, it runs.
    var isStalePlan: Bool { sqlState == "0A000" && message.contains("cached plan") }
}

/// Why nalabo could not talk to the catalogue at all.
public struct ConnectionFailure: Error, Sendable, CustomStringConvertible {
    /// Where libpq tried to connect, such as `host /run/postgresql port 5432`.
    public var endpoint: String
    public var reason: String

    public var description: String { "cannot connect to the catalogue at \(endpoint): \(reason)" }
}
