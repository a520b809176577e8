import Foundation
import Testing
@testable import WorkshopSpec

/// Runs the public YAML conformance corpus (../shared/yaml-test-suite beside the checkout, or
/// NALABO_YAML_TEST_SUITE): every case marked `error` must be rejected with a position, and no case may
/// crash. Valid cases that libyaml or nalabo's own restrictions (one document, no tags, no complex keys)
/// reject are fine; crashing on them is not.
@Suite struct YAMLTestSuiteTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let id: String
        let input: [UInt8]
        let isError: Bool
        var testDescription: String { id }
    }

    static let root: String = ProcessInfo.processInfo.environment["NALABO_YAML_TEST_SUITE"]
        ?? URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/yaml-test-suite").path

    static let cases: [Case] = {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var cases: [Case] = []
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix("in.yaml"), let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
            let id = String(path.dropLast("/in.yaml".count))
            cases.append(Case(id: id, input: Array(data), isError: FileManager.default.fileExists(atPath: root + "/" + id + "/error")))
        }
        return cases.sorted { $0.id < $1.id }
    }()

    @Test func corpusIsPresent() {
        // The corpus is required: a missing folder must fail CI, not silently test nothing.
        #expect(Self.cases.count > 300, "yaml-test-suite not found at \(Self.root)")
        #expect(Self.cases.filter(\.isError).count > 90)
    }

    @Test(arguments: cases.filter(\.isError))
    func errorCaseIsRejectedWithAPosition(_ testCase: Case) {
        let sink = DiagnosticSink(file: "in.yaml")
        let file = SourceFile(path: "in.yaml", bytes: testCase.input)
        let node = YAMLParser.parse(file, into: sink)
        let rejections = sink.diagnostics.filter { [.yamlSyntax, .documentLimit, .duplicateKey].contains($0.rule) }
        #expect(!rejections.isEmpty, "accepted invalid YAML: \(String(decoding: testCase.input, as: UTF8.self))")
        if node != nil { #expect(rejections.contains { $0.rule == .duplicateKey }) }
        let lines = file.bytes.count { $0 == UInt8(ascii: "\n") } + 1
        for diagnostic in rejections {
            #expect((1...lines + 1).contains(diagnostic.location.line))
            #expect(diagnostic.location.column >= 1)
        }
    }

    @Test(arguments: cases.filter { !$0.isError })
    func validCaseRunsThroughTheWholePipelineWithoutCrashing(_ testCase: Case) throws {
        let directory = try TemporaryDirectory()
        let loaded = SpecLoader(plan: .free).load(SourceFile(path: "in.yaml", bytes: testCase.input), directory: directory.path)
        // Not a workshop, so decoding reports problems; each must be placed inside the file.
        for diagnostic in loaded.diagnostics {
            #expect(diagnostic.location.line >= 1 && diagnostic.location.column >= 1)
        }
    }
}
