/// The outcome of validating a set of spec files, ready to be rendered by a ``DiagnosticReporter``.
public struct ValidationReport: Sendable {
    /// The files checked, in the order given.
    public var files: [String]
    /// Every diagnostic of every file, in reporting order.
    public var diagnostics: [Diagnostic]
    /// The text of each file, to quote source lines.
    public var sources: [String: SourceFile]

    public init(_ specs: [LoadedSpec]) {
        self.init(files: specs.map { File(source: $0.file, diagnostics: $0.diagnostics) })
    }

    /// What a report keeps of one loaded spec: its text and its diagnostics, not its model.
    struct File: Sendable {
        var source: SourceFile
        var diagnostics: [Diagnostic]
    }

    init(files checked: [File]) {
        files = checked.map(\.source.path)
        diagnostics = checked.flatMap(\.diagnostics).sorted(by: Diagnostic.reportingOrder)
        sources = Dictionary(checked.map { ($0.source.path, $0.source) }, uniquingKeysWith: { first, _ in first })
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
