import Foundation

/// Reads the JSON lines of an image pull (`POST /images/create`). The engine answers 200 before it knows
/// whether the pull works, so failures arrive as `{"error": ...}` lines inside the stream: every line is read.
public struct PullProgressParser: Sendable {
    private var pending: [UInt8] = []
    private let image: String
    /// The first error line, if any.
    public private(set) var error: String?

    public init(image: String) { self.image = image }

    /// Feeds a chunk of the stream and returns the events of the lines it completed.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [PullEvent] {
        pending.append(contentsOf: chunk)
        var events: [PullEvent] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if let event = parse(line) { events.append(event) }
        }
        return events
    }

    /// Reads whatever follows the last newline at the end of the stream.
    public mutating func finish() -> [PullEvent] {
        defer { pending.removeAll() }
        return parse(pending).map { [$0] } ?? []
    }

    private mutating func parse(_ line: [UInt8]) -> PullEvent? {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            error = error ?? "unreadable progress line: \(String(decoding: line.prefix(200), as: UTF8.self))"
            return nil
        }
        if let message = (object["errorDetail"] as? [String: Any])?["message"] as? String ?? object["error"] as? String {
            error = error ?? message
            return nil
        }
        let detail = object["progressDetail"] as? [String: Any]
        return PullEvent(
            image: image,
            layer: object["id"] as? String,
            status: object["status"] as? String ?? "",
            current: (detail?["current"] as? NSNumber)?.int64Value,
            total: (detail?["total"] as? NSNumber)?.int64Value
        )
    }
}
