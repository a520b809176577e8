/// A constraint on the text of a string value, shared by the decoder and the generated JSON Schema.
public enum StringFormat: Sendable, Hashable {
    /// Any text.
    case text
    /// One line of text without control characters (C0, DEL, C1): a title is printed in other people's
    /// terminals and pages, where an escape sequence would act.
    case line
    /// Text without control characters other than tab and newline.
    case prose
    /// A lowercase DNS label (RFC 1123): `a-z`, `0-9` and `-`, starting and ending alphanumeric, 1 to 63 characters.
    case dnsLabel
    /// A semantic version `MAJOR.MINOR.PATCH[-PRERELEASE]`.
    case semanticVersion
    /// A container image reference: `[registry/]repository[:tag][@digest]`.
    case imageReference
    /// An absolute POSIX path.
    case absolutePath
    /// A POSIX environment variable name.
    case environmentName
    /// A user name or uid, optionally with `:group`.
    case user
    /// A path relative to the workshop directory.
    case relativePath
    /// A regular expression.
    case regularExpression
    /// File permission bits in octal, 3 or 4 digits.
    case fileMode
    /// A numeric owner, `UID` or `UID:GID`.
    case numericOwner

    /// The JSON Schema `pattern` for the format, where one can express it.
    public var pattern: String? {
        switch self {
        case .dnsLabel: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        case .line: #"^[^\u0000-\u001F\u007F-\u009F]*$"#
        case .prose: #"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$"#
        case .semanticVersion: SemanticVersion.pattern
        case .absolutePath: "^/"
        case .environmentName: "^[A-Za-z_][A-Za-z0-9_]*$"
        case .user: "^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"
        case .relativePath: "^[^/]"
        case .fileMode: "^[0-7]{3,4}$"
        case .numericOwner: "^[0-9]+(:[0-9]+)?$"
        case .text, .imageReference, .regularExpression: nil
        }
    }

    /// What a valid value looks like, completing "expected ...".
    public var expectation: String {
        switch self {
        case .text: "text"
        case .line: "one line of text without control characters"
        case .prose: "text without control characters other than tab and newline"
        case .dnsLabel: "a lowercase label of letters, digits and '-' (1 to 63 characters, starting and ending with a letter or digit)"
        case .semanticVersion: "a semantic version such as '1.0.0' or '2.1.0-beta.1'"
        case .imageReference: "an image reference such as 'debian:bookworm-slim' or 'ghcr.io/org/image:1.2'"
        case .absolutePath: "an absolute path, starting with '/'"
        case .environmentName: "a variable name of letters, digits and '_', not starting with a digit"
        case .user: "a user name or uid, optionally followed by ':group'"
        case .relativePath: "a path relative to the workshop directory"
        case .regularExpression: "a regular expression"
        case .fileMode: "an octal mode such as '0644' or '0755'"
        case .numericOwner: "a numeric owner such as '1000' or '1000:1000' (user names are not known before the container runs)"
        }
    }

    /// Whether `value` has this format.
    public func accepts(_ value: String) -> Bool {
        switch self {
        case .text: return true
        case .line: return !Self.containsControl(value, allowingTabAndNewline: false)
        case .prose: return !Self.containsControl(value, allowingTabAndNewline: true)
        case .dnsLabel: return Self.isDNSLabel(value)
        case .semanticVersion: return SemanticVersion(value) != nil
        case .imageReference: return ImageReference(value) != nil
        case .absolutePath: return value.hasPrefix("/")
        case .environmentName:
            guard let first = value.utf8.first, !Self.isDigit(first) else { return false }
            return value.utf8.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
        case .user:
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count) else { return false }
            return parts.allSatisfy { part in
                guard let first = part.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
                return part.utf8.allSatisfy {
                    Self.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                }
            }
        case .relativePath: return !value.isEmpty  // where it leads is checked when the file is read
        case .regularExpression: return (try? Regex(value)) != nil
        case .fileMode: return FileMode.parse(value) != nil
        case .numericOwner: return FileOwner(value) != nil
        }
    }

    static func isDNSLabel(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard (1...63).contains(bytes.count),
              let first = bytes.first, let last = bytes.last,
              isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// C0 controls, DEL and C1 controls: what a terminal may act on.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether `value` holds a control character (``isControl(_:)``), read in its UTF-8 bytes: C0 and DEL are one
    /// byte each, and a C1 control (U+0080–U+009F) is the only scalar encoded as 0xC2 followed by 0x80–0x9F.
    /// Prose is a step's whole Markdown, so this runs over most of a spec's bytes.
    static func containsControl(_ value: String, allowingTabAndNewline: Bool) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte < 0x20 {
                    if !(allowingTabAndNewline && (byte == 0x09 || byte == 0x0A)) { return true }
                } else if byte == 0x7F {
                    return true
                } else if byte == 0xC2, index + 1 < count, bytes[index + 1] >= 0x80, bytes[index + 1] <= 0x9F {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
