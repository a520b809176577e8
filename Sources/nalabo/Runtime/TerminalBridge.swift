import CTerminal
import Dispatch
import Foundation
import Runtime

/// Connects this process's terminal to an interactive exec: raw mode while it runs, window size passed on
/// (and again on every SIGWINCH), bytes copied both ways until the shell exits.
enum TerminalBridge {
    static func run(_ exec: InteractiveExec, engine: DockerEngine) async throws -> Int {
        let interactive = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if interactive {
            tcgetattr(STDIN_FILENO, &saved)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        }
        defer {
            if interactive { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            close(exec.socket)
        }

        @Sendable func resize() async {
            var rows: UInt16 = 0, columns: UInt16 = 0
            guard nalabo_window_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 else { return }
            try? await engine.resizeExec(exec.id, rows: Int(rows), columns: Int(columns))
        }
        await resize()
        signal(SIGWINCH, SIG_IGN)
        let windowChanges = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        windowChanges.setEventHandler { Task { await resize() } }
        windowChanges.resume()
        defer { windowChanges.cancel() }

        // The copying blocks in poll(2): on a thread of its own, not on the concurrency pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var output = Output(tty: exec.tty)
                if output.write(exec.initialOutput) { pump(socket: exec.socket, output: &output) }
                done.resume()
            }
        }
        guard let status = try await engine.execExitCode(exec.id) else {
            throw EngineError.protocolViolation("the shell ended but the engine reported no exit status")
        }
        return status
    }

    /// Where the connection's bytes go: all to standard output with a terminal, split into standard output
    /// and standard error without one.
    private struct Output {
        let tty: Bool
        var demultiplexer = StreamDemultiplexer()

        init(tty: Bool) { self.tty = tty }

        /// Writes a chunk; false when the output is gone or the stream is malformed.
        mutating func write(_ bytes: [UInt8]) -> Bool {
            guard !tty else { return (try? DockerEngine.writeAll(STDOUT_FILENO, bytes)) != nil }
            var ok = true
            do {
                try demultiplexer.feed(bytes) { stream, payload in
                    let descriptor = stream == .stdout ? STDOUT_FILENO : STDERR_FILENO
                    if (try? DockerEngine.writeAll(descriptor, Array(payload))) == nil { ok = false }
                }
            } catch {
                return false
            }
            return ok
        }
    }

    /// Copies standard input to the socket and the socket to the output until the socket closes.
    private static func pump(socket: Int32, output: inout Output) {
        var inputOpen = true
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if inputOpen { descriptors.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[0].revents != 0 {
                let count = read(socket, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                guard output.write(Array(buffer[..<count])) else { return }
            }
            if inputOpen, descriptors.count > 1, descriptors[1].revents != 0 {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    // End of input: tell the shell, which then exits like at a terminal's Ctrl-D.
                    inputOpen = false
                    shutdown(socket, Int32(SHUT_WR))
                    continue
                }
                guard (try? DockerEngine.writeAll(socket, Array(buffer[..<count]))) != nil else { return }
            }
        }
    }
}
