import Foundation
import Testing
@testable import WorkshopSpec

/// Specs arrive in strangers' pull requests: every limit is enforced with a diagnostic at a position,
/// never a crash, a hang or unbounded memory.
@Suite struct HostileInputTests {
    private func parse(_ bytes: [UInt8], limits: ParseLimits = .standard) -> (Node?, [Diagnostic]) {
        let sink = DiagnosticSink(file: "hostile.yaml")
        let node = YAMLParser.parse(SourceFile(path: "hostile.yaml", bytes: bytes), limits: limits, into: sink)
        return (node, sink.diagnostics)
    }

    private func parse(_ text: String) -> (Node?, [Diagnostic]) { parse(Array(text.utf8)) }

    @Test func fileLargerThanOneMebibyteIsRefusedWithoutParsing() throws {
        let directory = try TemporaryDirectory()
        try directory.write("workshop.yaml", "# " + String(repeating: "x", count: 1 << 20) + "\n")
        let loaded = SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml")
        #expect(loaded.diagnostics.map(\.rule) == [.documentLimit])
        #expect(loaded.diagnostics.first?.message.contains("at most 1048576 bytes") == true)
        #expect(loaded.diagnostics.first?.location == .start)
    }

    @Test func fifoIsRefusedInsteadOfBlocking() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/workshop.yaml"
        #expect(mkfifo(path, 0o600) == 0)
        let loaded = SpecLoader(plan: .free).load(path: path)
        #expect(loaded.diagnostics.map(\.rule) == [.documentLimit])
        #expect(loaded.diagnostics.first?.message.contains("not a regular file") == true)
    }

    @Test func invalidUTF8IsRejectedWithItsByteOffset() {
        var bytes = Array("apiVersion: nalabo/v1\ntitle: caf".utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        let (node, diagnostics) = parse(bytes)
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.documentLimit])
        #expect(diagnostics.first?.message == "the file is not valid UTF-8 at byte offset 32")
        #expect(diagnostics.first?.location == SourceLocation(line: 2, column: 11))
    }

    @Test(arguments: [
        [0xED, 0xA0, 0x80] as [UInt8],  // an encoded surrogate
        [0xC0, 0xAF],  // an overlong '/'
        [0xF4, 0x90, 0x80, 0x80],  // past U+10FFFF
        [0xE2, 0x82],  // truncated at the end of the file
        [0xFF],
    ])
    func malformedUTF8SequencesAreRejected(_ sequence: [UInt8]) {
        let (_, diagnostics) = parse(Array("a: ".utf8) + sequence)
        #expect(diagnostics.map(\.message) == ["the file is not valid UTF-8 at byte offset 3"])
    }

    @Test func secondDocumentIsRejectedWhereItStarts() {
        let (node, diagnostics) = parse("a: 1\n---\nb: 2\n")
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.documentLimit])
        #expect(diagnostics.first?.location == SourceLocation(line: 2, column: 1))
    }

    @Test func nestingDeeperThan64IsRejected() {
        let (node, diagnostics) = parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
        #expect(node == nil)
        #expect(diagnostics.map(\.message) == ["nesting is deeper than 64 levels"])
        #expect(diagnostics.first?.location == SourceLocation(line: 1, column: 65))

        let (accepted, none) = parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))
        #expect(accepted != nil)
        #expect(none.isEmpty)
    }

    @Test func deeplyNestedInputOfOneMebibyteFailsFast() {
        let (node, diagnostics) = parse(String(repeating: "[", count: 1 << 20 - 1))
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.documentLimit])
    }

    @Test func billionLaughsIsRejectedByTheNodeBudget() {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        let clock = ContinuousClock()
        var result: (Node?, [Diagnostic]) = (nil, [])
        let elapsed = clock.measure { result = parse(yaml) }
        #expect(result.0 == nil)
        #expect(result.1.map(\.message) == ["the document expands to more than 100000 nodes"])
        // Found while counting, long before 10^9 nodes could be walked.
        #expect(result.1.first?.location.line == 5)
        _ = elapsed
    }

    @Test func moreThan100AliasUsesAreRejected() {
        let yaml = "a: &a x\nb: [" + Array(repeating: "*a", count: 101).joined(separator: ", ") + "]\n"
        let (node, diagnostics) = parse(yaml)
        #expect(node == nil)
        #expect(diagnostics.map(\.message) == ["more than 100 alias uses in one file"])
        #expect(diagnostics.first?.location == SourceLocation(line: 2, column: 5 + 100 * 4))
    }

    @Test func scalarLongerThan256KiBIsRejected() {
        let (node, diagnostics) = parse("a: " + String(repeating: "y", count: 256 * 1024 + 1) + "\n")
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.documentLimit])
        #expect(diagnostics.first?.location == SourceLocation(line: 1, column: 4))
    }

    @Test(arguments: [("\"a\\0b\"", "NUL"), ("\"bell\\a\"", "U+0007"), ("\"cr\\r\"", "U+000D"), ("\"esc\\e\"", "U+001B")])
    func controlCharactersInValuesAreRejected(_ value: String, _ name: String) {
        let (node, diagnostics) = parse("key: \(value)\n")
        #expect(node == nil)
        #expect(diagnostics.map(\.message) == ["this value contains the control character \(name); only tab and newline are allowed"])
        #expect(diagnostics.first?.location == SourceLocation(line: 1, column: 6))
    }

    @Test func tabsAndNewlinesInValuesAreAllowed() {
        let (node, diagnostics) = parse("key: \"a\\tb\\nc\"\n")
        #expect(node != nil)
        #expect(diagnostics.isEmpty)
    }

    @Test(arguments: [(UInt8(0), "NUL"), (0x07, "U+0007"), (0x1B, "U+001B"), (0x7F, "U+007F")])
    func rawControlBytesAreRejectedWithTheirPosition(_ byte: UInt8, _ name: String) {
        let (node, diagnostics) = parse(Array("a: é\nb: c".utf8) + [byte] + Array("\n".utf8))
        #expect(node == nil)
        #expect(diagnostics.map(\.message) == ["the file contains the control character \(name) at byte offset 10"])
        #expect(diagnostics.first?.location == SourceLocation(line: 2, column: 5))
    }

    @Test func byteOrderMarkIsSkippedAndNotCountedAsAColumn() {
        let (node, diagnostics) = parse([0xEF, 0xBB, 0xBF] + Array("a: [1, 2\n".utf8))
        #expect(node == nil)
        #expect(diagnostics.first?.location.line == 2)
        let (accepted, none) = parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8))
        #expect(accepted != nil)
        #expect(none.isEmpty)
    }

    @Test func explicitTagsAreRejected() {
        let (node, diagnostics) = parse("a: !!str 5\n")
        #expect(node == nil)
        #expect(diagnostics.map(\.message) == ["explicit tags such as '!!str' are not supported"])
        #expect(diagnostics.first?.location == SourceLocation(line: 1, column: 4))
    }

    @Test func aliasToAnUndefinedOrEnclosingAnchorIsRejected() {
        let (_, undefined) = parse("a: *nowhere\n")
        #expect(undefined.map(\.message) == ["the alias '*nowhere' refers to no anchor defined before it"])
        #expect(undefined.first?.location == SourceLocation(line: 1, column: 4))

        // An anchor cannot be used inside its own node: this would be an infinite structure.
        let (_, recursive) = parse("a: &loop [1, *loop]\n")
        #expect(recursive.map(\.rule) == [.yamlSyntax])
        #expect(recursive.first?.location == SourceLocation(line: 1, column: 14))
    }

    @Test func libyamlErrorsArePlacedAtTheProblemMark() {
        let (node, diagnostics) = parse("a: [1, 2\nb: 3\n")
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(diagnostics.first?.message == "did not find expected ',' or ']' while parsing a flow sequence")
        #expect(diagnostics.first?.location == SourceLocation(line: 2, column: 2))
        // libyaml's context mark says where the construct that failed began.
        #expect(diagnostics.first?.notes == [Diagnostic.Note("parsing a flow sequence started here", at: SourceLocation(line: 1, column: 4))])
    }

    @Test func unclosedQuoteNamesWhereTheQuoteOpened() {
        let (_, diagnostics) = parse("a: \"open\nb: c\n\n")
        #expect(diagnostics.first?.help == "a quote or bracket is not closed")
        #expect(diagnostics.first?.notes.first?.location == SourceLocation(line: 1, column: 4))
    }
}
