/// `--format json`: `{"diagnostics":[...],"summary":{...}}`, one object per diagnostic, for scripts.
public struct JSONReporter: DiagnosticReporter {
    public static let identifier = "json"

    public init() {}

    public func render(_ report: ValidationReport) -> String {
        let diagnostics = report.diagnostics.map { diagnostic in
            JSONValue.members([
                ("file", .string(diagnostic.file)),
                ("line", .int(Int64(diagnostic.location.line))),
                ("column", .int(Int64(diagnostic.location.column))),
                ("severity", .string(diagnostic.severity.rawValue)),
                ("rule", .string(diagnostic.rule.rawValue)),
                ("message", .string(diagnostic.message)),
                ("help", .string(diagnostic.help)),
                ("notes", diagnostic.notes.isEmpty ? nil : .array(diagnostic.notes.map { note in
                    .object([
                        ("message", .string(note.message)),
                        ("line", .int(Int64(note.location.line))),
                        ("column", .int(Int64(note.location.column))),
                    ])
                })),
            ])
        }
        let document = JSONValue.object([
            ("diagnostics", .array(diagnostics)),
            ("summary", .object([
                ("files", .int(Int64(report.files.count))),
                ("valid", .int(Int64(report.validCount))),
                ("errors", .int(Int64(report.errorCount))),
                ("warnings", .int(Int64(report.warningCount))),
            ])),
        ])
        return document.pretty + "\n"
    }
}
