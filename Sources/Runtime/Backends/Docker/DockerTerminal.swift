import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A terminal over a hijacked Docker exec connection (``InteractiveExec``): a thread of its own reads the
/// socket (blocking, not on the concurrency pool) into ``output``, demultiplexing it when there is no TTY. That
/// thread owns the descriptor and closes it when the connection ends; everything else only shuts it down.
final class DockerTerminal: TerminalChannel {
    private let exec: InteractiveExec
    private let engine: DockerEngine
    /// The socket while it is open.
    private let socket: SocketBox
    let output: AsyncThrowingStream<[UInt8], any Error>

    init(exec: InteractiveExec, engine: DockerEngine) {
        self.exec = exec
        self.engine = engine
        let socket = SocketBox(exec.socket)
        self.socket = socket
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        output = stream
        let descriptor = exec.socket
        let initial = exec.initialOutput
        let tty = exec.tty
        Thread.detachNewThread {
            var demultiplexer = StreamDemultiplexer()
            func deliver(_ bytes: [UInt8]) -> Bool {
                guard !tty else {
                    continuation.yield(bytes)
                    return true
                }
                do {
                    try demultiplexer.feed(bytes) { _, payload in continuation.yield(Array(payload)) }
                    return true
                } catch {
                    continuation.finish(throwing: BackendError(.protocolViolation, "the terminal's stream broke: \(error)"))
                    return false
                }
            }
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var open = initial.isEmpty || deliver(initial)
            while open {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                open = deliver(Array(buffer[..<count]))
            }
            socket.value.withLock { socket in
                if let open = socket { Glibc.close(open) }
                socket = nil
            }
            continuation.finish()
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try socket.value.withLock { socket in
            guard let socket else { throw BackendError(.stopped, "the terminal has ended") }
            do { try DockerEngine.writeAll(socket, bytes) } catch let error as EngineError { throw BackendError(error) }
        }
    }

    func closeInput() async {
        socket.value.withLock { socket in if let socket { shutdown(socket, Int32(SHUT_WR)) } }
    }

    func resize(_ size: TerminalSize) async throws {
        guard exec.tty, size.rows > 0, size.columns > 0 else { return }
        try await DockerBackend.translating { try await engine.resizeExec(exec.id, rows: size.rows, columns: size.columns) }
    }

    func exitStatus() async throws -> Int? {
        try await DockerBackend.translating { try await engine.execExitCode(exec.id) }
    }

    func close() async {
        socket.value.withLock { socket in if let socket { shutdown(socket, Int32(SHUT_RDWR)) } }
    }

    deinit {
        socket.value.withLock { socket in if let socket { shutdown(socket, Int32(SHUT_RDWR)) } }
    }
}

/// The terminal's socket descriptor while it is open, shared with the reading thread.
private final class SocketBox: Sendable {
    let value: Mutex<Int32?>
    init(_ descriptor: Int32) { value = Mutex(descriptor) }
}
