import Testing
@testable import WorkshopSpec

/// What the parser makes of the YAML features specs may use.
@Suite struct YAMLFeatureTests {
    private func parse(_ text: String) -> (Node?, [Diagnostic]) {
        let sink = DiagnosticSink(file: "t.yaml")
        return (YAMLParser.parse(SourceFile(path: "t.yaml", text: text), into: sink), sink.diagnostics)
    }

    private func entries(_ node: Node?) -> [(String, Node)] {
        guard case .mapping(let entries)? = node?.content else { return [] }
        return entries.map { ($0.key.value, $0.value) }
    }

    private func scalar(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node.content else { return nil }
        return scalar.value
    }

    @Test func everyKeyAndValueKeepsItsOneBasedPosition() {
        let source = MarkedSource("1️⃣first: 2️⃣one\nsecond:\n  3️⃣- 4️⃣é: 5️⃣\"two\"\n")
        let (node, diagnostics) = parse(source.text)
        #expect(diagnostics.isEmpty)
        guard case .mapping(let top)? = node?.content else { Issue.record("not a mapping"); return }
        #expect(top[0].key.location == source[1])
        #expect(top[0].value.location == source[2])
        #expect(top[1].value.location == source[3])
        guard case .sequence(let items) = top[1].value.content, case .mapping(let inner) = items[0].content else {
            Issue.record("not a list of mappings"); return
        }
        #expect(inner[0].key.location == source[4])
        // Columns count Unicode scalars: 'é' is two bytes but one column.
        #expect(inner[0].value.location == source[5])
        #expect(inner[0].value.location.column == 8)
    }

    @Test func aliasesShareTheAnchoredValue() {
        let (node, diagnostics) = parse("base: &img debian:bookworm-slim\nother: *img\n")
        #expect(diagnostics.isEmpty)
        let values = entries(node).map { scalar($0.1) }
        #expect(values == ["debian:bookworm-slim", "debian:bookworm-slim"])
    }

    @Test func mergeKeysAddMissingKeysAndExplicitKeysWin() {
        let yaml = """
            defaults: &defaults {cpus: 0.5, memory: 256Mi}
            more: &more {pids: 64, cpus: 2}
            merged:
              <<: [*defaults, *more]
              memory: 128Mi
            """
        let (node, diagnostics) = parse(yaml)
        #expect(diagnostics.isEmpty)
        let merged = entries(node).first { $0.0 == "merged" }.map { entries($0.1) } ?? []
        #expect(merged.map { "\($0.0)=\(scalar($0.1) ?? "")" } == ["memory=128Mi", "cpus=0.5", "pids=64"])
    }

    @Test func mergeOfAScalarIsRejected() {
        let source = MarkedSource("a:\n  <<: 1️⃣plain\n")
        let (_, diagnostics) = parse(source.text)
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(diagnostics.first?.location == source[1])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() {
        let (node, _) = parse("\"<<\": value\n")
        #expect(entries(node).map(\.0) == ["<<"])
    }

    @Test func duplicateKeyIsReportedAtTheSecondWithANoteAtTheFirst() {
        let source = MarkedSource("1️⃣name: a\nother: b\n2️⃣name: c\n")
        let (node, diagnostics) = parse(source.text)
        #expect(diagnostics.map(\.rule) == [.duplicateKey])
        #expect(diagnostics.first?.location == source[2])
        #expect(diagnostics.first?.notes == [Diagnostic.Note("first defined here", at: source[1])])
        // The first value is kept; parsing goes on.
        #expect(entries(node).map { scalar($0.1) } == ["a", "b"])
    }

    @Test func complexKeysAreRejected() {
        let source = MarkedSource("1️⃣[a, b]: c\nd: e\n")
        let (node, diagnostics) = parse(source.text)
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(diagnostics.first?.location == source[1])
        #expect(entries(node).map(\.0) == ["d"])
    }

    @Test func blockScalarsKeepTheirText() {
        let (node, _) = parse("run: |\n  echo one\n  echo two\nfolded: >\n  a\n  b\n")
        #expect(entries(node).map { scalar($0.1) } == ["echo one\necho two\n", "a b\n"])
    }

    @Test func emptyDocumentHasNoRoot() {
        let (node, diagnostics) = parse("# only a comment\n")
        #expect(node == nil)
        #expect(diagnostics.isEmpty)
    }

    @Test func windowsLineEndingsAreAccepted() {
        let (node, diagnostics) = parse("a: 1\r\nb: |\r\n  x\r\n")
        #expect(diagnostics.isEmpty)
        #expect(entries(node).map { scalar($0.1) } == ["1", "x\n"])
    }
}
