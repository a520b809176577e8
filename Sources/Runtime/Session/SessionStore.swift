import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The local session state: one directory per session under `$XDG_STATE_HOME/nalabo/sessions` (default
/// `~/.local/state/nalabo/sessions`), holding `session.json` (the ``LocalSession``) and `bundle.json` (the
/// workshop's canonical bundle, so grading never depends on the spec files still being there). Writes are
/// atomic (temporary file, fsync, rename); read-modify-write goes through ``update(_:_:)`` under an flock.
public struct SessionStore: SessionRecords {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The store at the XDG location for this user.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> SessionStore {
        let base: String
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = state
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return SessionStore(directory: URL(fileURLWithPath: base).appendingPathComponent("nalabo/sessions"))
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    func sessionDirectory(_ id: String) -> URL { directory.appendingPathComponent(id) }
    public func recordPath(_ id: String) -> String { sessionDirectory(id).appendingPathComponent("session.json").path }
    public func location(of id: String) -> String { recordPath(id) }

    /// Every recorded session, newest first. Unreadable records are skipped and reported in `problems`.
    public func all() -> (sessions: [LocalSession], problems: [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return ([], []) }
        var sessions: [LocalSession] = []
        var problems: [String] = []
        for name in names where !name.hasPrefix(".") {
            do {
                if let record = try load(name) { sessions.append(record) }
            } catch {
                problems.append("\(recordPath(name)): \(error)")
            }
        }
        return (sessions.sorted { $0.createdAt > $1.createdAt }, problems)
    }

    /// The record of a session, nil if there is none.
    public func load(_ id: String) throws -> LocalSession? {
        guard let data = FileManager.default.contents(atPath: recordPath(id)) else { return nil }
        do {
            return try Self.decode(data)
        } catch {
            throw Failure(description: "the session record \(recordPath(id)) is unreadable (\(error)); `nalabo prune` removes the session by its labels")
        }
    }

    /// The stored canonical bundle of a session.
    public func bundle(_ id: String) throws -> String {
        let path = sessionDirectory(id).appendingPathComponent("bundle.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "the workshop of session \(id) is missing (\(path)); run `nalabo down --session \(id)` and start again")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Creates the session's directory with its bundle and first record; fails if the id is taken.
    public func create(_ record: LocalSession, bundle: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let session = sessionDirectory(record.id)
        do {
            try FileManager.default.createDirectory(at: session, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create \(session.path): \(error.localizedDescription)")
        }
        try Self.writeAtomically(Data(bundle.utf8), to: session.appendingPathComponent("bundle.json").path)
        try save(record)
    }

    /// Replaces a session's record.
    public func save(_ record: LocalSession) throws {
        try Self.writeAtomically(try Self.encoder.encode(record), to: recordPath(record.id))
    }

    /// Loads, changes and saves a record under an exclusive lock, so concurrent commands never lose an update.
    @discardableResult
    public func update(_ id: String, _ change: (inout LocalSession) throws -> Void) throws -> LocalSession {
        try withLock(id) {
            guard var record = try load(id) else { throw Failure(description: "session \(id) has no record any more") }
            try change(&record)
            try save(record)
            return record
        }
    }

    /// Runs `body` holding the session's lock file.
    public func withLock<T>(_ id: String, _ body: () throws -> T) throws -> T {
        let descriptor = try Self.lock(sessionDirectory(id).appendingPathComponent("lock").path)
        defer { Self.unlock(descriptor) }
        return try body()
    }

    private static func lock(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(descriptor)
                throw Failure(description: "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
        }
        return descriptor
    }

    private static func unlock(_ descriptor: Int32) {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Removes a session's directory.
    public func remove(_ id: String) throws {
        let session = sessionDirectory(id)
        guard FileManager.default.fileExists(atPath: session.path) else { return }
        try FileManager.default.removeItem(at: session)
    }

    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base.advanced(by: offset), buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(failure)")
        }
    }

    /// A record as JSON, the form every store keeps.
    public static func encode(_ record: LocalSession) throws -> Data { try encoder.encode(record) }

    /// A record from its JSON, of this nalabo or an earlier one.
    public static func decode(_ data: Data) throws -> LocalSession {
        do {
            return try decoder.decode(LocalSession.self, from: data)
        } catch {
            // A record of an older nalabo, or truly unreadable (then the first error is the one to report).
            guard let legacy = try? decoder.decode(LocalSession.Legacy.self, from: data) else { throw error }
            return legacy.current
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
