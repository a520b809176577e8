/// Collects the diagnostics of one file while it is parsed, decoded and validated.
///
/// Passes report into a sink instead of throwing, so one run finds every problem.
public final class DiagnosticSink {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    public func report(
        _ rule: Rule,
        _ message: String,
        at location: SourceLocation,
        notes: [Diagnostic.Note] = [],
        help: String? = nil
    ) {
        diagnostics.append(Diagnostic(rule, message, file: file, at: location, notes: notes, help: help))
    }

    public func report(_ message: Message, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        report(message.rule, message.text, at: location, notes: notes, help: message.help)
    }

    public var hasErrors: Bool { diagnostics.containsErrors }
}
