/// Where ``LabService`` makes its catalogue calls, which block on the network (libpq is synchronous): inline for
/// the CLI, which has nothing else to do meanwhile, and on a pool of threads of their own in the portal, so that
/// no cooperative thread — of which there is one per core — waits on the database while terminals and other
/// requests need it.
public struct BlockingCalls: Sendable {
    private let hop: @Sendable (@escaping @Sendable () -> Void) async throws -> Void

    /// Calls that run `work` on some thread and return when it has finished.
    public init(_ hop: @escaping @Sendable (@escaping @Sendable () -> Void) async throws -> Void) {
        self.hop = hop
    }

    /// Runs each call on the calling thread.
    public static let inline = BlockingCalls { work in work() }

    /// The hop did not run the work (its threads were shutting down).
    public struct NotRun: Error, CustomStringConvertible {
        public var description: String { "the call to the catalogue was not made: the portal is shutting down" }
    }

    /// Runs `body` where these calls run, and returns what it returned or rethrows what it threw.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        try await hop { outcome.result = Result { try body() } }
        guard let result = outcome.result else { throw NotRun() }
        return try result.get()
    }
}

/// The result handed back from the hop's thread; written there before the hop returns, read only after.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
