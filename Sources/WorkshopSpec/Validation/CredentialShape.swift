/// What makes an environment value look like a credential: a name that says so with a value that is not a
/// placeholder, or a value in the form of a well-known key or token.
enum CredentialShape {
    /// Words in a variable's name that say it holds a secret.
    static let secretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]

    /// Prefixes of well-known tokens: GitHub, GitLab, Slack, AWS access key ids, OpenAI-style keys, PEM keys.
    static let tokenPrefixes = ["ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "AKIA", "sk-", "-----BEGIN"]

    /// Values that stand for "no real secret here" in training material.
    static let placeholders: Set<String> = ["", "changeme", "change-me", "example", "password", "secret", "xxx", "none", "null", "todo"]

    /// Why a variable looks like a credential, nil when it does not.
    static func why(name: String, value: String) -> String? {
        if let prefix = tokenPrefixes.first(where: { value.hasPrefix($0) && value.count >= $0.count + 12 }) {
            return "it starts like a \(prefix == "-----BEGIN" ? "PEM key" : "'\(prefix)' token")"
        }
        let upper = name.uppercased()
        guard let word = secretWords.first(where: { upper.contains($0) }) else { return nil }
        guard !placeholders.contains(value.lowercased()), !value.hasPrefix("$"), value.count >= 6 else { return nil }
        return "its name contains \(word)"
    }
}
