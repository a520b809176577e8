/// The compiler-style format: `PATH:LINE:COLUMN: error: MESSAGE [RULE]`, with notes and help below,
/// the source line and a caret when `showSource` is set (on a terminal), and a summary line.
public struct TextReporter: DiagnosticReporter {
    public static let identifier = "text"

    public var colored: Bool
    public var showSource: Bool

    public init(colored: Bool = false, showSource: Bool = false) {
        self.colored = colored
        self.showSource = showSource
    }

    public func render(_ report: ValidationReport) -> String {
        var output = ""
        for diagnostic in report.diagnostics {
            output += paint("\(diagnostic.file):\(diagnostic.location): ", .bold)
            output += paint("\(diagnostic.severity.rawValue):", diagnostic.severity == .error ? .red : .yellow)
            output += paint(" \(diagnostic.message)", .bold) + " [\(diagnostic.rule.rawValue)]\n"
            if showSource, let line = report.sources[diagnostic.file]?.line(diagnostic.location.line) {
                output += sourceExcerpt(line, at: diagnostic.location)
            }
            for note in diagnostic.notes {
                output += paint("\(diagnostic.file):\(note.location): ", .bold) + paint("note:", .cyan) + " \(note.message)\n"
            }
            if let help = diagnostic.help {
                output += "  " + paint("help:", .cyan) + " \(help)\n"
            }
        }
        output += summary(report) + "\n"
        return output
    }

    private func sourceExcerpt(_ line: String, at location: SourceLocation) -> String {
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        // Keep tabs so the caret lines up under the same characters the terminal shows.
        let padding = line.unicodeScalars.prefix(location.column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
        return " \(number) | \(line)\n \(gutter) | \(padding)" + paint("^", .green) + "\n"
    }

    func summary(_ report: ValidationReport) -> String {
        let files = report.files.count == 1 ? "1 file" : "\(report.files.count) files"
        let errors = report.errorCount == 1 ? "1 error" : "\(report.errorCount) errors"
        let warnings = report.warningCount == 1 ? "1 warning" : "\(report.warningCount) warnings"
        return "\(files) checked: \(errors), \(warnings)"
    }

    private enum Style: String {
        case bold = "1", red = "1;31", yellow = "1;33", cyan = "1;36", green = "1;32"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
