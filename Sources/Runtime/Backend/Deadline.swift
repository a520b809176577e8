/// Runs `body` until it finishes or `deadline` passes, whichever comes first: true when it finished (its
/// error rethrown), false at the deadline, after which it is cancelled. Structured: cancelling the caller
/// cancels `body` at once, and nothing outlives the call.
func withDeadline(_ deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable () async throws -> Void) async throws -> Bool {
    guard let deadline else {
        try await body()
        return true
    }
    return try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return false
        }
        defer { group.cancelAll() }
        return try await group.next() ?? true
    }
}
