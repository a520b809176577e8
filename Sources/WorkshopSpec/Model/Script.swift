/// A script run in one of the session's containers: environment setup, challenge setup, a check or a solve.
public struct Script: Sendable {
    /// The container it runs in; filled in when the workshop has exactly one.
    @Located public var container: String
    public var source: ScriptSource
    @Located public var timeout: SpecDuration
    public var user: String?
    public var workdir: String?
    public var env: [EnvironmentVariable]
    /// Where the script's mapping starts.
    public var location: SourceLocation
}

/// Where a script's text comes from. Files are read at load time, so the model always holds the text.
public enum ScriptSource: Sendable, Hashable {
    case inline(String)
    case file(path: String, text: String)

    /// The text to run.
    public var text: String {
        switch self {
        case .inline(let text), .file(_, let text): text
        }
    }
}

/// Markdown instructions, written inline or read from a file.
public enum Content: Sendable, Hashable {
    case inline(String)
    case file(path: String, text: String)

    public var text: String {
        switch self {
        case .inline(let text), .file(_, let text): text
        }
    }
}
