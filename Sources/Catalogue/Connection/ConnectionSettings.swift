/// How to reach the catalogue: a connection URL, or libpq's own conventions (PGHOST, PGDATABASE, PGUSER,
/// PGSERVICE, ~/.pgpass, sslmode...) when none is given.
public struct ConnectionSettings: Sendable, Hashable {
    /// A `postgresql://` URL or `key=value` string; nil leaves everything to libpq's environment.
    public var url: String?
    /// The longest wait for a connection, in seconds.
    public var connectTimeout = 10
    /// The longest any statement may run, in milliseconds.
    public var statementTimeout = 30_000
    /// The longest wait for a lock, in milliseconds.
    public var lockTimeout = 10_000

    public init(url: String? = nil) {
        self.url = url
    }

    /// The settings from `--database-url`, else `NALABO_DATABASE_URL`, else libpq's environment.
    public static func resolve(option: String?, environment: [String: String]) -> ConnectionSettings {
        ConnectionSettings(url: option ?? environment["NALABO_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The keywords and values for `PQconnectdbParams`, with `expand_dbname` so a URL is taken apart by libpq.
    var parameters: [(String, String)] {
        var parameters: [(String, String)] = []
        // Later keywords override what the URL says, so the URL goes first and nalabo's settings after it.
        if let url { parameters.append(("dbname", url)) }
        parameters.append(("application_name", "nalabo"))
        parameters.append(("connect_timeout", String(connectTimeout)))
        parameters.append(("options", "-c statement_timeout=\(statementTimeout) -c lock_timeout=\(lockTimeout)"))
        return parameters
    }
}
