/// The budgets that keep hostile input from crashing, hanging or ballooning nalabo.
///
/// Specs arrive in strangers' pull requests, so every limit is checked while parsing, before any walk of
/// the expanded tree.
public struct ParseLimits: Sendable, Hashable {
    /// The largest spec file read, in bytes.
    public var maxFileBytes = 1 << 20
    /// The deepest nesting of sequences and mappings.
    public var maxDepth = 64
    /// The most alias uses (`*name`) in one file.
    public var maxAliases = 100
    /// The most nodes once every alias is expanded.
    public var maxNodes = 100_000
    /// The longest scalar, in bytes.
    public var maxScalarBytes = 256 << 10

    public init() {}

    /// The defaults documented in docs/spec.md.
    public static let standard = ParseLimits()
}
