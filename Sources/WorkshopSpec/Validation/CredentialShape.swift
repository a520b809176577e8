/// What makes an environment value look like a credential: a name that says so with a value that is not a
/// placeholder, or a value in the form of a well-known key or token.
enum CredentialShape {
    /// Words in a variable's name that say it holds a secret.
    static let secretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]

    private static let secretWordBytes = secretWords.map { Array($0.utf8) }

    /// Prefixes of well-known tokens: GitHub, GitLab, Slack, AWS access key ids, OpenAI-style keys, PEM keys.
    static let tokenPrefixes = ["ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "AKIA", "sk-", "-----BEGIN"]

    /// Values that stand for "no real secret here" in training material.
    static let placeholders: Set<String> = ["", "changeme", "change-me", "example", "password", "secret", "xxx", "none", "null", "todo"]

    /// Why a variable looks like a credential, nil when it does not.
    ///
    /// Every env variable of every spec passes through here and nearly none is a credential, so each test is
    /// first made on the UTF-8 bytes; only a byte-level match is confirmed with the String comparison (which
    /// compares characters: "sk-" is not a prefix of "sk-\u{301}…").
    static func why(name: String, value: String) -> String? {
        if let prefix = tokenPrefixes.first(where: { hasBytePrefix(value, $0) && value.hasPrefix($0) && value.count >= $0.count + 12 }) {
            return "it starts like a \(prefix == "-----BEGIN" ? "PEM key" : "'\(prefix)' token")"
        }
        guard let word = secretWord(in: name) else { return nil }
        guard !placeholders.contains(value.lowercased()), !value.hasPrefix("$"), value.count >= 6 else { return nil }
        return "its name contains \(word)"
    }

    /// The first of ``secretWords`` that the upper-cased name contains.
    private static func secretWord(in name: String) -> String? {
        let bytes = name.utf8
        // Upper-casing ASCII is byte for byte; other text (where "ſ" upper-cases to "S") goes through String.
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            let upper = name.uppercased()
            return secretWords.first(where: { upper.contains($0) })
        }
        let upper = bytes.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 0x20 : $0 }
        return zip(secretWords, secretWordBytes).first { containsBytes(upper, $0.1) }?.0
    }

    private static func hasBytePrefix(_ value: String, _ prefix: String) -> Bool {
        value.utf8.starts(with: prefix.utf8)
    }

    private static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == first {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
