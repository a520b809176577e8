/// A Docker Engine API version (`1.41`), compared numerically.
public struct DockerAPIVersion: Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// Docker 20.10; also what Podman's compatible service reports.
    public static let minimum = DockerAPIVersion(major: 1, minor: 41)
    /// The newest version nalabo has been written against. Servers that are newer are spoken to in this
    /// version; Docker 29 refuses clients older than 1.44, so this must stay at or above that.
    public static let maximum = DockerAPIVersion(major: 1, minor: 47)

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: DockerAPIVersion, rhs: DockerAPIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// The version to speak with a server that reports `server`: the lower of it and ``maximum``; nil when
    /// the server is older than ``minimum``.
    public static func negotiate(server: DockerAPIVersion) -> DockerAPIVersion? {
        guard server >= minimum else { return nil }
        return min(server, maximum)
    }
}
