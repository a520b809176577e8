/// The outcome of validating a set of spec files, ready to be rendered by a ``DiagnosticReporter``.
public struct ValidationReport: Sendable {
    /// The files checked, in the order given.
    public var files: [String]
    /// Every diagnostic of every file, in reporting order.
    public var diagnostics: [Diagnostic]
    /// The text of each file, to quote source lines.
    public var sources: [String: SourceFile]

    public init(_ specs: [LoadedSpec]) {
        files = specs.map(\.file.path)
        diagnostics = specs.flatMap(\.diagnostics).sorted(by: Diagnostic.reportingOrder)
        sources = Dictionary(specs.map { ($0.file.path, $0.file) }, uniquingKeysWith: { first, _ in first })
    }

    public var errorCount: Int { diagnostics.errorCount }
    public var warningCount: Int { diagnostics.warningCount }
    /// Files with no errors.
    public var validCount: Int {
        let failing = Set(diagnostics.filter { $0.severity == .error }.map(\.file))
        return files.filter { !failing.contains($0) }.count
    }
}

/// Renders a validation report in one output format.
public protocol DiagnosticReporter {
    /// The `--format` name.
    static var identifier: String { get }
    func render(_ report: ValidationReport) -> String
}
