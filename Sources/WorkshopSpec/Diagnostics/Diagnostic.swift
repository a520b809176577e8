/// A problem found in a spec file, at a precise location.
public struct Diagnostic: Sendable, Hashable {
    /// A secondary location that helps explain the diagnostic, such as the first definition of a duplicate.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var location: SourceLocation

        public init(_ message: String, at location: SourceLocation) {
            self.message = message
            self.location = location
        }
    }

    public var severity: Severity
    public var rule: Rule
    public var message: String
    /// The file the problem is in, as the user named it.
    public var file: String
    public var location: SourceLocation
    public var notes: [Note]
    /// How to fix it, when there is something more useful to say than the message.
    public var help: String?

    public init(
        _ rule: Rule,
        _ message: String,
        file: String,
        at location: SourceLocation,
        severity: Severity? = nil,
        notes: [Note] = [],
        help: String? = nil
    ) {
        self.rule = rule
        self.severity = severity ?? rule.severity
        self.message = message
        self.file = file
        self.location = location
        self.notes = notes
        self.help = help
    }

    /// The order diagnostics are reported in: by file, then line, then column.
    public static func reportingOrder(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.location != rhs.location { return lhs.location < rhs.location }
        if lhs.rule != rhs.rule { return lhs.rule.rawValue < rhs.rule.rawValue }
        return lhs.message < rhs.message
    }
}

extension Array where Element == Diagnostic {
    /// Whether any of the diagnostics is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }
    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }
}
