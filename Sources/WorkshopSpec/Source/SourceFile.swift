/// The text of one spec file, kept so that diagnostics can quote the offending line.
public struct SourceFile: Sendable {
    /// The path as the user gave it (or as discovered under a directory they gave).
    public let path: String
    /// The file's bytes, valid UTF-8 once parsing has started.
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The text of a 1-based line without its line break, or nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = 0
        var index = 0
        while index < bytes.count {
            if current == number { break }
            if bytes[index] == UInt8(ascii: "\n") {
                current += 1
                start = index + 1
            }
            index += 1
        }
        guard current == number, start <= bytes.count else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The line and column (in Unicode scalars) of a byte offset.
    public func location(ofByte offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        // A byte-order mark is not a column, as libyaml counts them.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) && offset >= 3 ? 3 : 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1  // count scalars by their lead bytes
            }
            index += 1
        }
        return SourceLocation(line: line, column: column)
    }
}
