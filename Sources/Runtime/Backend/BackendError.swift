/// A backend failure, worded by the backend for the person who has to fix it (the words about a daemon, a
/// socket or a kubeconfig stay inside each backend); `kind` is what callers decide on.
public struct BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Nothing answers, or the configuration naming the backend cannot be used (exit 3).
        case unreachable
        /// The backend is too old, or lacks something nalabo needs (exit 3).
        case unsupported
        /// An image is missing and could not be fetched.
        case imageUnavailable
        /// The backend refused a request: admission, quota, scheduling, a conflict.
        case refused
        /// A session, member or object that should exist does not (exit 7).
        case notFound
        /// A member has stopped (killed, evicted, out of memory, its engine restarted).
        case stopped
        /// The backend said something nalabo could not read, or a connection broke mid-answer.
        case protocolViolation
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The image an ``Kind/imageUnavailable`` error is about, worded the same on every backend.
    public static func imageUnavailable(_ image: String, reason: String, remedy: String) -> BackendError {
        BackendError(.imageUnavailable, "the image \(image) is not available and could not be pulled: \(reason).\n\(remedy)")
    }
}
