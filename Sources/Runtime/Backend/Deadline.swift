/// Runs `body` until it finishes or `deadline` passes, whichever comes first: its value when it finished (its
/// error rethrown), nil at the deadline, after which it is cancelled. Structured: cancelling the caller
/// cancels `body` at once, and nothing outlives the call.
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    guard let deadline else { return try await body() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
