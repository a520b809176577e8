import Foundation

/// What an exec produced. `exitCode` is nil when the deadline passed before the command finished.
public struct ExecOutput: Sendable, Equatable {
    public var exitCode: Int?
    public var stdout: CappedOutput
    public var stderr: CappedOutput
    /// From the start of the command to its end, or to the time limit.
    public var duration: Duration = .zero

    public init(exitCode: Int?, stdout: CappedOutput, stderr: CappedOutput, duration: Duration = .zero) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }
}

/// Output kept up to a limit, with a count of what was dropped.
public struct CappedOutput: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var droppedBytes = 0
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Output that was capped elsewhere (inside the container): `bytes` kept of `totalBytes` produced.
    public init(limit: Int, bytes: [UInt8], totalBytes: Int) {
        self.limit = limit
        self.bytes = Array(bytes.prefix(limit))
        droppedBytes = max(0, totalBytes - self.bytes.count)
    }

    /// The last bytes written, kept even when the rest was dropped (what a program says last, such as the
    /// script wrapper's timeout line, survives a flood of output).
    public private(set) var tail: [UInt8] = []
    static let tailSize = 512

    public mutating func append<C: Collection>(_ chunk: C) where C.Element == UInt8 {
        let room = max(0, limit - bytes.count)
        bytes.append(contentsOf: chunk.prefix(room))
        droppedBytes += max(0, chunk.count - room)
        if droppedBytes > 0 {
            tail.append(contentsOf: chunk.suffix(Self.tailSize))
            if tail.count > Self.tailSize { tail.removeFirst(tail.count - Self.tailSize) }
        }
    }

    /// The kept bytes as text, invalid UTF-8 repaired.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var isTruncated: Bool { droppedBytes > 0 }
}
