/// The stable identifier of the check that produced a diagnostic.
///
/// The raw values are part of nalabo's interface: they appear in every output format and in
/// docs/diagnostics.md, and CI configurations may match on them. Never rename one.
public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
    case yamlSyntax = "yaml-syntax"
    case documentLimit = "document-limit"
    case duplicateKey = "duplicate-key"
    case unknownKey = "unknown-key"
    case missingKey = "missing-key"
    case typeMismatch = "type-mismatch"
    case invalidValue = "invalid-value"
    case duplicateID = "duplicate-id"
    case unknownReference = "unknown-reference"
    case dependencyCycle = "dependency-cycle"
    case planLimit = "plan-limit"
    case fileReference = "file-reference"
    case unsupportedVersion = "unsupported-version"
    case unpinnedImage = "unpinned-image"
    case missingSolve = "missing-solve"
    case needsLaterStep = "needs-later-step"
    case noChallenges = "no-challenges"
    case credentialInEnv = "credential-in-env"

    /// The severity this rule reports with.
    public var severity: Severity {
        switch self {
        case .unpinnedImage, .missingSolve, .noChallenges, .credentialInEnv: .warning
        default: .error
        }
    }

    /// One line saying what the rule guards, for documentation and SARIF rule metadata.
    public var summary: String {
        switch self {
        case .yamlSyntax: "the file is not well-formed YAML, or uses a YAML feature nalabo rejects"
        case .documentLimit: "the file exceeds a size, depth, alias or encoding limit"
        case .duplicateKey: "a mapping repeats a key"
        case .unknownKey: "a key is not part of the spec format"
        case .missingKey: "a required key is absent"
        case .typeMismatch: "a value has the wrong type"
        case .invalidValue: "a value has the right type but is not allowed"
        case .duplicateID: "a name or id that must be unique is repeated"
        case .unknownReference: "a reference names something that does not exist"
        case .dependencyCycle: "challenges depend on each other in a cycle"
        case .planLimit: "the workshop exceeds a limit of the chosen plan"
        case .fileReference: "a referenced file is missing, unreadable, or outside the workshop"
        case .unsupportedVersion: "the apiVersion is not one this nalabo understands"
        case .unpinnedImage: "an image has no tag or uses 'latest'"
        case .missingSolve: "a challenge has no solve, so `nalabo test` cannot exercise it"
        case .needsLaterStep: "a challenge needs one of a later step, so it can never become current"
        case .noChallenges: "the workshop has no challenge, so nothing is graded and `nalabo test` tests nothing"
        case .credentialInEnv: "an env value looks like a credential, which everyone with the spec can read"
        }
    }
}
