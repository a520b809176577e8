/// A semantic version `MAJOR.MINOR.PATCH[-PRERELEASE]` (semver.org 2.0.0 without build metadata).
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The dot-separated pre-release identifiers, empty for a release.
    public var prerelease: [String]

    static let pattern =
        #"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?$"#

    public init?(_ text: String) {
        let (core, pre) = text.firstIndex(of: "-").map { (text[..<$0], Optional(text[text.index(after: $0)...])) } ?? (text[...], nil)
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var values: [Int] = []
        for number in numbers {
            guard Self.isNumericIdentifier(number), let value = Int(number) else { return nil }
            values.append(value)
        }
        var identifiers: [String] = []
        if let pre {
            for identifier in pre.split(separator: ".", omittingEmptySubsequences: false) {
                guard !identifier.isEmpty,
                      identifier.utf8.allSatisfy({ StringFormat.isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
                else { return nil }
                if identifier.utf8.allSatisfy(StringFormat.isDigit), !Self.isNumericIdentifier(identifier) { return nil }
                identifiers.append(String(identifier))
            }
        }
        (major, minor, patch, prerelease) = (values[0], values[1], values[2], identifiers)
    }

    private static func isNumericIdentifier(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.allSatisfy(StringFormat.isDigit) else { return false }
        return text == "0" || text.first != "0"
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    /// Precedence as semver.org defines it: a pre-release sorts before its release.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (Int(left), Int(right)) {
            case let (l?, r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }
}
