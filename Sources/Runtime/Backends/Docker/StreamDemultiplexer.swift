/// Splits Docker's multiplexed stdout/stderr stream (a non-TTY exec or attach) into its two streams.
///
/// Each frame is an 8-byte header — stream type (1 stdout, 2 stderr; 0 stdin), three zero bytes, payload size
/// as a big-endian UInt32 — then the payload. Frames span network chunks freely, so input is buffered until a
/// whole header, then payload bytes are passed on as they arrive.
public struct StreamDemultiplexer: Sendable {
    public enum Stream: Sendable, Equatable { case stdout, stderr }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badHeader([UInt8])
        public var description: String {
            "a frame header of the multiplexed stream is malformed: \(bytesDescription)"
        }
        private var bytesDescription: String {
            switch self { case .badHeader(let bytes): bytes.map { String($0) }.joined(separator: " ") }
        }
    }

    private var header: [UInt8] = []
    private var current: Stream = .stdout
    private var remaining = 0

    public init() {}

    /// Feeds a chunk; `emit` receives every payload slice with its stream.
    public mutating func feed(_ chunk: some Collection<UInt8>, emit: (Stream, ArraySlice<UInt8>) -> Void) throws {
        var bytes = ArraySlice(chunk)
        while !bytes.isEmpty {
            if remaining > 0 {
                let take = min(remaining, bytes.count)
                emit(current, bytes.prefix(take))
                bytes = bytes.dropFirst(take)
                remaining -= take
                continue
            }
            let need = 8 - header.count
            header.append(contentsOf: bytes.prefix(need))
            bytes = bytes.dropFirst(need)
            guard header.count == 8 else { return }
            switch header[0] {
            case 0, 1: current = .stdout
            case 2: current = .stderr
            default: throw Failure.badHeader(header)
            }
            guard header[1] == 0, header[2] == 0, header[3] == 0 else { throw Failure.badHeader(header) }
            remaining = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
            header.removeAll(keepingCapacity: true)
        }
    }

    /// Whether the stream ended between frames (a cut-off frame means the connection broke).
    public var isAtFrameBoundary: Bool { header.isEmpty && remaining == 0 }
}
