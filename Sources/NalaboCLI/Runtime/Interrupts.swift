import Dispatch
import Foundation

/// Turns the first Ctrl-C (SIGINT) or SIGTERM during long work into task cancellation, so the work can clean
/// up; a second one exits at once (`nalabo prune` then removes what is left).
enum Interrupts {
    static func cancelling<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let sources = [SIGINT, SIGTERM].map { signalNumber -> DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let count = Counter()
            source.setEventHandler {
                if count.increment() == 1 {
                    Terminal.standardError.write("\ninterrupted: cleaning up (press Ctrl-C again to stop at once)\n")
                    task.cancel()
                } else {
                    Terminal.standardError.write("stopped; `nalabo prune` removes anything left behind\n")
                    _exit(130)
                }
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        return try await task.value
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
