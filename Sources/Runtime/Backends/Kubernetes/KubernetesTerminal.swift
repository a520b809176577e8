import Foundation
import NIOCore
import Synchronization
import WSClient

/// An interactive exec in a Pod over the API server's WebSocket: keystrokes on channel 0, output on 1 (and 2
/// without a terminal), resizes on 4, the exit status on 3. One task owns the connection; the methods talk
/// to it through a stream.
final class KubernetesTerminal: TerminalChannel, @unchecked Sendable {
    private enum Outgoing: Sendable {
        case data([UInt8])
        case resize(TerminalSize)
        case closeInput
        case close
    }

    let output: AsyncThrowingStream<[UInt8], any Error>
    private let outputContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let outgoing: AsyncStream<Outgoing>
    private let outgoingContinuation: AsyncStream<Outgoing>.Continuation
    private let status = Mutex<Int?>(nil)
    private let tty: Bool
    private var connection: Task<Void, Never>?

    /// Opens the exec; returns once the connection is up (or throws why it could not be).
    static func open(api: KubernetesAPI, namespace: String, pod: String, container: String, command: [String],
                     size: TerminalSize?) async throws -> KubernetesTerminal {
        let terminal = KubernetesTerminal(tty: size != nil)
        let opened = AsyncThrowingStream<Void, any Error>.makeStream()
        terminal.connection = Task {
            do {
                try await KubernetesExec.connect(api: api, namespace: namespace, pod: pod, container: container, command: command,
                                                 stdin: true, tty: size != nil) { inbound, outbound, proto in
                    opened.continuation.yield()
                    if let size { try await Self.write(.resize(size), to: outbound, protocol: proto, tty: true) }
                    try await terminal.pump(inbound: inbound, outbound: outbound, protocol: proto)
                }
                terminal.outputContinuation.finish()
            } catch {
                opened.continuation.finish(throwing: error)
                terminal.outputContinuation.finish(throwing: error)
            }
            opened.continuation.finish()
        }
        for try await _ in opened.stream { break }
        return terminal
    }

    private init(tty: Bool) {
        self.tty = tty
        (output, outputContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        (outgoing, outgoingContinuation) = AsyncStream<Outgoing>.makeStream()
    }

    /// Copies the server's output out and the caller's input in, until the server closes or `close()`.
    private func pump(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, protocol proto: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                var messages = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
                while let message = try await messages.next() {
                    guard case .binary(var buffer) = message, let channel = buffer.readInteger(as: UInt8.self) else { continue }
                    let bytes = Array(buffer.readableBytesView)
                    switch KubernetesExec.Channel(rawValue: channel) {
                    case .stdout, .stderr: outputContinuation.yield(bytes)
                    case .status: status.withLock { $0 = KubernetesExec.exitStatus(bytes).code }
                    default: break
                    }
                }
            }
            group.addTask { [self] in
                for await item in outgoing {
                    if case .close = item { return }
                    try await Self.write(item, to: outbound, protocol: proto, tty: tty)
                }
            }
            // Whichever ends first ends the terminal: the program exited, or the caller closed it.
            try await group.next()
            group.cancelAll()
        }
    }

    private static func write(_ item: Outgoing, to outbound: WebSocketOutboundWriter, protocol proto: String, tty: Bool) async throws {
        switch item {
        case .data(let bytes):
            var buffer = ByteBuffer()
            buffer.writeInteger(KubernetesExec.Channel.stdin.rawValue)
            buffer.writeBytes(bytes)
            try await outbound.write(.binary(buffer))
        case .resize(let size):
            var buffer = ByteBuffer()
            buffer.writeInteger(KubernetesExec.Channel.resize.rawValue)
            buffer.writeString("{\"Width\":\(size.columns),\"Height\":\(size.rows)}")
            try await outbound.write(.binary(buffer))
        case .closeInput:
            if proto.hasPrefix("v5") {
                try await outbound.write(.binary(ByteBuffer(bytes: [KubernetesExec.Channel.close.rawValue, KubernetesExec.Channel.stdin.rawValue])))
            } else if tty {
                // v4 cannot close one channel: end of file is what the terminal's Ctrl-D does.
                try await outbound.write(.binary(ByteBuffer(bytes: [KubernetesExec.Channel.stdin.rawValue, 0x04])))
            }
        case .close:
            break
        }
    }

    func send(_ bytes: [UInt8]) async throws { outgoingContinuation.yield(.data(bytes)) }
    func closeInput() async { outgoingContinuation.yield(.closeInput) }
    func resize(_ size: TerminalSize) async throws { outgoingContinuation.yield(.resize(size)) }

    func exitStatus() async throws -> Int? {
        await connection?.value
        return status.withLock { $0 }
    }

    func close() async {
        outgoingContinuation.yield(.close)
        outgoingContinuation.finish()
        await connection?.value
    }
}
