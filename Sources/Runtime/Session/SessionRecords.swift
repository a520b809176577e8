/// Where session records and their workshops' bundles are kept: the local state directory for the CLI
/// (``SessionStore``), the catalogue for the portal, so that every portal process on it sees the same labs.
///
/// Implementations make ``update(_:_:)`` atomic against every other writer of the same record, in this process
/// and in others. The requirements are asynchronous so that a store reached over the network (the catalogue)
/// never holds one of Swift's cooperative threads while it waits; the file store answers synchronously.
public protocol SessionRecords: Sendable {
    /// Every record this store holds, newest first; unreadable ones are skipped and reported in `problems`.
    func all() async -> (sessions: [LocalSession], problems: [String])
    /// The record of a session, nil if there is none.
    func load(_ id: String) async throws -> LocalSession?
    /// The stored canonical bundle of a session's workshop.
    func bundle(_ id: String) async throws -> String
    /// Stores a new session's record and bundle; fails if the id is taken.
    func create(_ record: LocalSession, bundle: String) async throws
    /// Replaces a session's record.
    func save(_ record: LocalSession) async throws
    /// Loads, changes and saves a record so that no concurrent update is lost.
    @discardableResult
    func update(_ id: String, _ change: @escaping @Sendable (inout LocalSession) throws -> Void) async throws -> LocalSession
    /// Removes a session's record; removing a missing one is not an error.
    func remove(_ id: String) async throws
    /// Where a record is, for messages and for the backend's labels (`prune` reads an absolute path there as a
    /// state file that must exist; anything else is not a file).
    func location(of id: String) -> String
}
