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
        let bytes = Array(text.utf8)
        // Every part is held to an ASCII grammar below, so other text is never a reference; refusing it first lets
        // the parse work on bytes, where one byte is one character.
        guard !bytes.isEmpty, bytes.count <= 512, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var rest = bytes[...]
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            let digest = rest[(at + 1)...]
            guard Self.isDigest(digest) else { return nil }
            self.digest = Self.string(digest)
            rest = rest[..<at]
        }
        // A tag follows the last ':' unless that ':' belongs to a registry port ("host:5000/image").
        if let colon = rest.lastIndex(of: UInt8(ascii: ":")), !rest[colon...].contains(UInt8(ascii: "/")) {
            let tag = rest[(colon + 1)...]
            guard Self.isTag(tag) else { return nil }
            self.tag = Self.string(tag)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
           first.contains(UInt8(ascii: ".")) || first.contains(UInt8(ascii: ":")) || first.elementsEqual("localhost".utf8)
            || first.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            guard Self.isDomain(first) else { return nil }
            domain = Self.string(first)
            components.removeFirst()
        }
        guard !components.isEmpty, components.allSatisfy(Self.isPathComponent) else { return nil }
        path = components.map(Self.string).joined(separator: "/")
        guard path.utf8.count + (domain.map { $0.utf8.count + 1 } ?? 0) <= 255 else { return nil }
    }

    /// Whether the reference pins an image: a digest, or a tag other than `latest`.
    public var isPinned: Bool {
        digest != nil || (tag != nil && tag != "latest")
    }

    public var description: String {
        (domain.map { $0 + "/" } ?? "") + path + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func isPathComponent(_ bytes: ArraySlice<UInt8>) -> Bool {
        // alpha-numeric (separator alpha-numeric)*, separator = '.', '_', '__' or one or more '-'
        guard let first = bytes.first, let last = bytes.last,
              StringFormat.isLowerAlphanumeric(first), StringFormat.isLowerAlphanumeric(last) else { return false }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if StringFormat.isLowerAlphanumeric(byte) { index += 1; continue }
            var end = index
            while end < bytes.endIndex, !StringFormat.isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard valid else { return false }
            index = end
        }
        return true
    }

    private static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty else { return false }
        if parts.count == 2 {
            guard let port = port(parts[1]), (1...65535).contains(port) else { return false }
        }
        return host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last,
                  StringFormat.isAlphanumeric(first), StringFormat.isAlphanumeric(last) else { return false }
            return label.allSatisfy { StringFormat.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// The decimal value of digits alone, nil when empty, not all digits, or past 65535 (no port then).
    private static func port(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for digit in digits {
            guard StringFormat.isDigit(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            if value > 65535 { return nil }
        }
        return value
    }

    private static func isTag(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard (1...128).contains(bytes.count), let first = bytes.first,
              StringFormat.isAlphanumeric(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy {
            StringFormat.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    private static func isDigest(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2, let algorithm = parts.first, let hex = parts.last, !algorithm.isEmpty else { return false }
        guard algorithm.allSatisfy({ StringFormat.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return false }
        let isHex = hex.allSatisfy { StringFormat.isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
        if algorithm.elementsEqual("sha256".utf8) { return hex.count == 64 && isHex }
        return hex.count >= 32 && isHex
    }
}
