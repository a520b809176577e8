/// One versioned change to the catalogue's schema. Applied migrations are recorded with a checksum and
/// must never be edited: add a new one instead.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(_ version: Int, _ name: String, _ sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Every migration this nalabo knows, in order.
    public static let all: [Migration] = [
        Migration(1, "catalogue", SchemaV1.sql),
        Migration(2, "database-enforced limits, results and audit", SchemaV2.sql),
        Migration(3, "portal: accounts, web sessions, tokens and events", SchemaV3.sql),
        Migration(4, "portal: lab records and reserved labs", SchemaV4.sql),
        Migration(5, "guests start sessions only in their own event", SchemaV5.sql),
        Migration(6, "portal authentication from cached plans", SchemaV6.sql),
    ]
}
