import Testing
@testable import WorkshopSpec

/// Positions in specs; Testing has a `SourceLocation` of its own for where a test failed.
typealias SourceLocation = WorkshopSpec.SourceLocation

/// YAML with position markers (`1️⃣`, `2️⃣`, ...) in the style of swift-format's tests: the markers are
/// removed and their 1-based line and column (in Unicode scalars) remembered.
struct MarkedSource {
    let text: String
    let markers: [Int: SourceLocation]

    init(_ marked: String) {
        var text = ""
        var markers: [Int: SourceLocation] = [:]
        var line = 1
        var column = 1
        let scalars = Array(marked.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if index + 2 < scalars.count, scalars[index + 1] == "\u{FE0F}", scalars[index + 2] == "\u{20E3}",
               let digit = Int(String(scalar)) {
                markers[digit] = SourceLocation(line: line, column: column)
                index += 3
                continue
            }
            text.unicodeScalars.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        self.text = text
        self.markers = markers
    }

    subscript(marker: Int) -> SourceLocation {
        guard let location = markers[marker] else {
            Issue.record("no marker \(marker) in the source")
            return .start
        }
        return location
    }
}

/// Loads YAML text as `workshop.yaml` in a fresh temporary directory holding `files`.
func load(_ yaml: String, files: [String: String] = [:], plan: Plan? = .free) throws -> LoadedSpec {
    let directory = try TemporaryDirectory()
    for (path, text) in files { try directory.write(path, text) }
    try directory.write("workshop.yaml", yaml)
    return SpecLoader(plan: plan).load(path: directory.path + "/workshop.yaml")
}

/// The diagnostics of a marked spec, with `rule@marker` pairs for terse assertions. Marked specs are fragments
/// about one rule, most without challenges: the workshop-wide `no-challenges` warning is left out unless asked
/// for (RuleTests tests it on its own).
func diagnostics(_ marked: MarkedSource, files: [String: String] = [:], plan: Plan? = .free,
                 keepingNoChallenges: Bool = false) throws -> [Diagnostic] {
    try load(marked.text, files: files, plan: plan).diagnostics.filter { keepingNoChallenges || $0.rule != .noChallenges }
}

/// Asserts that `diagnostics` are exactly the expected rules at the expected markers, in order.
func expect(
    _ diagnostics: [Diagnostic], _ expected: [(Rule, Int)], in source: MarkedSource,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let wantsNoChallenges = expected.contains { $0.0 == .noChallenges }
    let diagnostics = diagnostics.filter { wantsNoChallenges || $0.rule != .noChallenges }
    let actual = diagnostics.map { "\($0.rule.rawValue)@\($0.location)" }
    let wanted = expected.map { "\($0.0.rawValue)@\(source[$0.1])" }
    #expect(actual == wanted, "\(diagnostics.map { "\($0.location): \($0.message)" })", sourceLocation: sourceLocation)
}
