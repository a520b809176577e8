import WorkshopSpec

/// A workshop in the catalogue: `[OWNER/]SLUG[@VERSION]`. Without an owner the slug must be unambiguous;
/// without a version it means the newest version that is not yanked.
public struct WorkshopAddress: Sendable, Hashable, CustomStringConvertible {
    public var owner: String?
    public var slug: String
    public var version: String?

    public init(owner: String? = nil, slug: String, version: String? = nil) {
        self.owner = owner
        self.slug = slug
        self.version = version
    }

    /// Parses an address, or returns nil with nothing valid to say about it.
    public init?(_ text: String) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let version = String(rest[rest.index(after: at)...])
            guard SemanticVersion(version) != nil else { return nil }
            self.version = version
            rest = rest[..<at]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ StringFormat.dnsLabel.accepts(String($0)) }) else { return nil }
        owner = parts.count == 2 ? String(parts[0]) : nil
        slug = String(parts[parts.count - 1])
    }

    public var description: String {
        (owner.map { $0 + "/" } ?? "") + slug + (version.map { "@" + $0 } ?? "")
    }
}

extension SemanticVersion {
    /// A key whose byte order (COLLATE "C") is semver precedence: numbers zero-padded, a release after its
    /// pre-releases, numeric pre-release identifiers before alphanumeric ones.
    public var orderKey: String {
        func number(_ value: Int) -> String { String(value).leftPadded(to: 10) }
        var key = "\(number(major)).\(number(minor)).\(number(patch))"
        if prerelease.isEmpty { return key + "~" }
        key += "-"
        key += prerelease.map { identifier in
            Int(identifier).map { "0" + number($0) } ?? "1" + identifier
        }.joined(separator: ".")
        return key
    }
}
