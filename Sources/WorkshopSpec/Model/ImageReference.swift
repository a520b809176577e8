/// A container image reference, parsed with the grammar of the distribution project
/// (`[domain[:port]/]path[:tag][@algorithm:hex]`).
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry host and port, when the reference names one.
    public var domain: String?
    /// The repository path, such as `library/debian` or `org/image`.
    public var path: String
    public var tag: String?
    public var digest: String?

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 512 else { return nil }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            guard Self.isDigest(digest) else { return nil }
            self.digest = String(digest)
            rest = rest[..<at]
        }
        // A tag follows the last ':' unless that ':' belongs to a registry port ("host:5000/image").
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let tag = rest[rest.index(after: colon)...]
            guard Self.isTag(tag) else { return nil }
            self.tag = String(tag)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
            guard Self.isDomain(first) else { return nil }
            domain = String(first)
            components.removeFirst()
        }
        guard !components.isEmpty, components.allSatisfy(Self.isPathComponent) else { return nil }
        path = components.joined(separator: "/")
        guard path.utf8.count + (domain.map { $0.utf8.count + 1 } ?? 0) <= 255 else { return nil }
    }

    /// Whether the reference pins an image: a digest, or a tag other than `latest`.
    public var isPinned: Bool {
        digest != nil || (tag != nil && tag != "latest")
    }

    public var description: String {
        (domain.map { $0 + "/" } ?? "") + path + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    private static func isPathComponent(_ text: Substring) -> Bool {
        // alpha-numeric (separator alpha-numeric)*, separator = '.', '_', '__' or one or more '-'
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last,
              StringFormat.isLowerAlphanumeric(first), StringFormat.isLowerAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if StringFormat.isLowerAlphanumeric(byte) { index += 1; continue }
            var end = index
            while end < bytes.count, !StringFormat.isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard valid else { return false }
            index = end
        }
        return true
    }

    private static func isDomain(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port), parts[1].utf8.allSatisfy(StringFormat.isDigit) else { return false }
        }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last,
                  StringFormat.isAlphanumeric(first), StringFormat.isAlphanumeric(last) else { return false }
            return label.utf8.allSatisfy { StringFormat.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isTag(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...128).contains(bytes.count), let first = bytes.first,
              StringFormat.isAlphanumeric(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy {
            StringFormat.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    private static func isDigest(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let algorithm = parts.first, let hex = parts.last, !algorithm.isEmpty else { return false }
        guard algorithm.utf8.allSatisfy({ StringFormat.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return false }
        let isHex = hex.utf8.allSatisfy { StringFormat.isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
        if algorithm == "sha256" { return hex.utf8.count == 64 && isHex }
        return hex.utf8.count >= 32 && isHex
    }
}
