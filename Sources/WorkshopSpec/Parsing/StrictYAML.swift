#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks for inputs that libyaml 0.2.5 accepts although the YAML 1.2 specification forbids them
/// (each is an `error` case of the yaml-test-suite). Specs come from strangers, so nalabo rejects
/// what other YAML tools would reject rather than guess what was meant.
///
/// A class: the parser builds one per file, on first need, and consults it for many scalars without
/// copying its tables.
final class StrictYAML {
    private let bytes: [UInt8]
    /// The byte offset each line starts at.
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // libyaml skips a byte-order mark without counting it as a column.
        var starts = [bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0]
        bytes.withUnsafeBytes { buffer in
            // memchr(3) finds each line break a word at a time, where a loop tests every byte.
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count, let found = memchr(base + offset, Int32(UInt8(ascii: "\n")), buffer.count - offset) {
                let index = base.distance(to: UnsafeRawPointer(found))
                starts.append(index + 1)
                offset = index + 1
            }
        }
        lineStarts = starts
    }

    /// The byte offset of a libyaml mark (0-based line, column counted in characters).
    func offset(line: Int, column: Int) -> Int {
        guard line < lineStarts.count else { return bytes.count }
        var offset = lineStarts[line]
        var remaining = column
        while remaining > 0, offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset
    }

    private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    private static func isBreak(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }

    /// The leading spaces of a line and whether anything but white space follows them.
    private func indentation(ofLine line: Int) -> (spaces: Int, hasContent: Bool) {
        guard line < lineStarts.count else { return (0, false) }
        var offset = lineStarts[line]
        var spaces = 0
        while let byte = byte(at: offset), byte == UInt8(ascii: " ") { spaces += 1; offset += 1 }
        while let byte = byte(at: offset), Self.isBlank(byte) { offset += 1 }
        guard let byte = byte(at: offset) else { return (spaces, false) }
        return (spaces, !Self.isBreak(byte))
    }

    /// The first continuation line of a multi-line flow collection or quoted scalar that is not indented
    /// more than the block collection around it (yaml-test-suite 9C9N, QB6E, DK95/01, Y79Y/003).
    func underIndentedLine(from startLine: Int, through endLine: Int, parentIndent: Int) -> SourceLocation? {
        guard startLine < endLine else { return nil }
        for line in (startLine + 1)...endLine {
            let (spaces, hasContent) = indentation(ofLine: line)
            if hasContent && spaces <= parentIndent {
                return SourceLocation(line: line + 1, column: spaces + 1)
            }
        }
        return nil
    }

    /// Whether a '#' follows directly at an offset, where only white space may precede a comment
    /// (9JBA, SU5Z).
    func commentWithoutSpace(at offset: Int) -> Bool {
        byte(at: offset) == UInt8(ascii: "#")
    }

    /// A '#' glued to a flow indicator or closing quote inside a flow collection's text (CVW2).
    func gluedComment(inFlowFrom start: Int, to end: Int) -> Int? {
        var offset = start
        var quote: UInt8?
        while offset < min(end, bytes.count) {
            let current = bytes[offset]
            if let open = quote {
                if open == UInt8(ascii: "\"") && current == UInt8(ascii: "\\") { offset += 2; continue }
                if current == open {
                    if open == UInt8(ascii: "'") && byte(at: offset + 1) == UInt8(ascii: "'") { offset += 2; continue }
                    quote = nil
                    if byte(at: offset + 1) == UInt8(ascii: "#") { return offset + 1 }
                }
            } else if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                // A quote starts a quoted scalar only where a scalar can start.
                let previous = offset > start ? bytes[offset - 1] : UInt8(ascii: " ")
                if Self.isBlank(previous) || Self.isBreak(previous) || "[{,:".utf8.contains(previous) { quote = current }
            } else if current == UInt8(ascii: "#") {
                let previous = offset > start ? bytes[offset - 1] : UInt8(ascii: " ")
                if !(Self.isBlank(previous) || Self.isBreak(previous)) && "[]{},".utf8.contains(previous) { return offset }
                if Self.isBlank(previous) || Self.isBreak(previous) {
                    // A real comment: skip to the end of the line.
                    while offset < bytes.count, !Self.isBreak(bytes[offset]) { offset += 1 }
                    continue
                }
            }
            offset += 1
        }
        return nil
    }

    /// A block scalar header followed directly by '#' (X4QW), given the offset of its indicator.
    func headerCommentWithoutSpace(at offset: Int) -> Bool {
        var index = offset + 1
        while let byte = byte(at: index), byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || StringFormat.isDigit(byte) {
            index += 1
        }
        return byte(at: index) == UInt8(ascii: "#")
    }

    /// Leading empty lines of a block scalar with more spaces than its first content line (S98Z).
    func overIndentedLeadingLine(headerLine: Int, parentIndent: Int) -> SourceLocation? {
        var widest: (spaces: Int, line: Int)?
        var line = headerLine + 1
        while line < lineStarts.count {
            let (spaces, hasContent) = indentation(ofLine: line)
            if hasContent {
                if spaces > parentIndent, let widest, widest.spaces > spaces {
                    return SourceLocation(line: widest.line + 1, column: 1)
                }
                return nil
            }
            if spaces > (widest?.spaces ?? -1) { widest = (spaces, line) }
            line += 1
        }
        return nil
    }

    /// A directive line (before the first `---`) with a comment glued to its text (MUS6/00).
    func directiveWithGluedComment(beforeLine documentLine: Int) -> SourceLocation? {
        for line in 0..<min(documentLine, lineStarts.count) {
            let start = lineStarts[line]
            guard byte(at: start) == UInt8(ascii: "%") else { continue }
            var offset = start + 1
            while let byte = byte(at: offset), !Self.isBreak(byte) {
                if byte == UInt8(ascii: "#"), let previous = self.byte(at: offset - 1), !Self.isBlank(previous) {
                    return SourceLocation(line: line + 1, column: offset - start + 1)
                }
                offset += 1
            }
        }
        return nil
    }
}

extension Message {
    static let underIndented = Message(
        .yamlSyntax, "this line continues a value but is not indented more than its parent",
        help: "indent continuation lines further than the key they belong to, with spaces (tabs cannot indent)")

    static let gluedComment = Message(
        .yamlSyntax, "a comment must be separated from the value before it by a space",
        help: "put a space before '#'")

    static let overIndentedEmptyLine = Message(
        .yamlSyntax, "a leading empty line of this block scalar has more spaces than its first line of text",
        help: "remove the trailing spaces from the empty line, or give an indentation indicator such as '|2'")

    static let dashInFlow = Message(
        .yamlSyntax, "a plain value cannot be just '-' inside [ ] or { }",
        help: "quote it: \"-\"")
}
