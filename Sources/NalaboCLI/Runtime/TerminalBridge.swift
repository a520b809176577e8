import CTerminal
import Dispatch
import Foundation
import Runtime

/// Connects this process's terminal (or pipes) to a backend's ``TerminalChannel``: raw mode while it runs,
/// window size changes passed on, input copied on a thread of its own (blocking reads stay off the
/// concurrency pool), output written as it arrives.
enum TerminalBridge {
    /// The size of the terminal on standard output, nil when it is not one.
    static func windowSize() -> TerminalSize? {
        var rows: UInt16 = 0, columns: UInt16 = 0
        guard nalabo_window_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 else { return nil }
        return TerminalSize(rows: Int(rows), columns: Int(columns))
    }

    /// Runs `command` in a member with this process's terminal attached (a terminal of its size when standard
    /// input is one, plain pipes otherwise), until it ends; returns its exit status.
    static func attach(_ backend: any SessionBackend, member: String, command: [String], in handle: SessionHandle) async throws -> Int {
        let interactive = isatty(STDIN_FILENO) == 1
        let channel = try await backend.attachTerminal(member: member, command: command, in: handle,
                                                       size: interactive ? windowSize() ?? TerminalSize(rows: 24, columns: 80) : nil)
        return try await run(channel, interactive: interactive)
    }

    /// Runs the terminal until the program in it ends; returns its exit status.
    static func run(_ channel: any TerminalChannel, interactive: Bool) async throws -> Int {
        var saved = termios()
        if interactive {
            tcgetattr(STDIN_FILENO, &saved)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        }
        defer { if interactive { tcsetattr(STDIN_FILENO, TCSANOW, &saved) } }

        signal(SIGWINCH, SIG_IGN)
        let windowChanges = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        windowChanges.setEventHandler { if let size = windowSize() { Task { try? await channel.resize(size) } } }
        windowChanges.resume()
        defer { windowChanges.cancel() }

        // Input: a thread reads standard input and hands each chunk to the channel, in order.
        let (input, feed) = AsyncStream<[UInt8]?>.makeStream()
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                feed.yield(Array(buffer[..<count]))
            }
            feed.yield(nil)
            feed.finish()
        }
        let forwarding = Task {
            for await chunk in input {
                guard let chunk else {
                    // End of input: tell the shell, which then exits as at a terminal's Ctrl-D.
                    await channel.closeInput()
                    return
                }
                do { try await channel.send(chunk) } catch { return }
            }
        }
        defer { forwarding.cancel() }
        for try await chunk in channel.output {
            guard (try? writeAll(STDOUT_FILENO, chunk)) != nil else { break }
        }
        let status = try await channel.exitStatus()
        await channel.close()
        guard let status else {
            throw BackendError(.protocolViolation, "the shell ended but the backend reported no exit status")
        }
        return status
    }

    /// Writes every byte, retrying after interruptions and short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += written
        }
    }
}
