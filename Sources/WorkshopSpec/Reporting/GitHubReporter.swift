/// `--format github`: workflow commands that GitHub Actions turns into annotations on the pull request.
public struct GitHubReporter: DiagnosticReporter {
    public static let identifier = "github"

    public init() {}

    public func render(_ report: ValidationReport) -> String {
        var output = ""
        for diagnostic in report.diagnostics {
            let command = diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "notice"
            var message = diagnostic.message
            for note in diagnostic.notes { message += "\nnote: \(note.message) (line \(note.location.line), column \(note.location.column))" }
            if let help = diagnostic.help { message += "\nhelp: " + help }
            output += "::\(command) file=\(property(diagnostic.file)),line=\(diagnostic.location.line),"
                + "col=\(diagnostic.location.column),title=\(property(diagnostic.rule.rawValue))::\(data(message))\n"
        }
        output += TextReporter().summary(report) + "\n"
        return output
    }

    /// Escapes a command's message as the Actions runner expects.
    private func data(_ text: String) -> String {
        text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }

    /// Escapes a command property; ',' and ':' would end it early.
    private func property(_ text: String) -> String {
        data(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }
}
