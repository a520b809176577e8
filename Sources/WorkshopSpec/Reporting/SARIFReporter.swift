/// `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other static-analysis viewers accept it.
public struct SARIFReporter: DiagnosticReporter {
    public static let identifier = "sarif"

    public var toolVersion: String

    public init(toolVersion: String) {
        self.toolVersion = toolVersion
    }

    public func render(_ report: ValidationReport) -> String {
        let rules = Rule.allCases
        let driver = JSONValue.object([
            ("name", .string("nalabo")),
            ("semanticVersion", .string(toolVersion)),
            ("informationUri", .string("https://nalabo.dev/docs/diagnostics")),
            ("rules", .array(rules.map { rule in
                .object([
                    ("id", .string(rule.rawValue)),
                    ("shortDescription", .object([("text", .string(rule.summary))])),
                    ("helpUri", .string("https://nalabo.dev/docs/diagnostics#\(rule.rawValue)")),
                    ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
                ])
            })),
        ])
        let results = report.diagnostics.map { diagnostic in
            var text = diagnostic.message
            if let help = diagnostic.help { text += " (help: \(help))" }
            return JSONValue.members([
                ("ruleId", .string(diagnostic.rule.rawValue)),
                ("ruleIndex", .int(Int64(rules.firstIndex(of: diagnostic.rule) ?? 0))),
                ("level", .string(level(diagnostic.severity))),
                ("message", .object([("text", .string(text))])),
                ("locations", .array([location(diagnostic.file, diagnostic.location)])),
                ("relatedLocations", diagnostic.notes.isEmpty ? nil : .array(diagnostic.notes.enumerated().map { index, note in
                    guard case .object(var members) = location(diagnostic.file, note.location) else { return .null }
                    members.insert(("id", .int(Int64(index))), at: 0)
                    members.append(("message", .object([("text", .string(note.message))])))
                    return .object(members)
                })),
            ])
        }
        let document = JSONValue.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([
                ("tool", .object([("driver", driver)])),
                ("columnKind", .string("unicodeCodePoints")),
                ("results", .array(results)),
            ])])),
        ])
        return document.pretty + "\n"
    }

    private func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    private func location(_ file: String, _ location: SourceLocation) -> JSONValue {
        .object([("physicalLocation", .object([
            ("artifactLocation", .object([("uri", .string(uri(file)))])),
            ("region", .object([("startLine", .int(Int64(location.line))), ("startColumn", .int(Int64(location.column)))])),
        ]))])
    }

    /// A relative URI reference for a relative path (what code scanning resolves against the repository),
    /// a file URI for an absolute one.
    private func uri(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        var encoded = ""
        for byte in path.utf8 {
            if StringFormat.isAlphanumeric(byte) || "/-._~".utf8.contains(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
