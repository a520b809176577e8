/// Which container image stands for a Killercoda environment (`backend.imageid`).
public struct ImageMapping: Sendable {
    /// Killercoda's image ids and the images nearest to them.
    public static let defaults: [String: String] = [
        "ubuntu": "ubuntu:24.04", "ubuntu20.04": "ubuntu:20.04", "ubuntu22.04": "ubuntu:22.04", "ubuntu24.04": "ubuntu:24.04",
        "debian": "debian:bookworm-slim", "alpine": "alpine:3.20",
    ]

    /// The image used when an id is neither given nor known.
    public static let fallback = "debian:bookworm-slim"

    public var overrides: [String: String]

    public init(overrides: [String: String] = [:]) { self.overrides = overrides }

    /// Reads `ID=IMAGE` pairs (`--image ubuntu=debian:bookworm-slim`); nil for one without `=`.
    public static func parse(_ pairs: [String]) -> [String: String]? {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex, pair.index(after: equals) != pair.endIndex else { return nil }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    /// The image for an id, and whether it is a stand-in the author should look at.
    func image(for id: String) -> (image: String, guessed: Bool) {
        if let given = overrides[id] { return (given, false) }
        if let known = Self.defaults[id] { return (known, false) }
        return (Self.fallback, true)
    }
}
