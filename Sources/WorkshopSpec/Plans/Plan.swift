/// A freemium plan and the limits it puts on workshops. This table is the only place the limits live:
/// `nalabo validate --plan`, `nalabo plans`, the catalogue's quotas and the runtime's defaults all read it.
public struct Plan: Sendable, Hashable, Identifiable {
    public var id: String
    /// Published workshops an owner may have; nil means unlimited.
    public var maxPublishedWorkshops: Int?
    public var maxContainers: Int
    public var maxCPUs: Double
    public var maxMemory: ByteCount
    public var maxPIDs: Int
    /// The most a container may write to its own filesystem.
    public var maxDisk: ByteCount
    public var maxPortsPerContainer: Int
    public var maxSteps: Int
    public var maxChallenges: Int
    public var maxSession: SpecDuration
    public var networkModes: [NetworkMode]
    /// The largest bundle: the spec file plus every file it references.
    public var maxBundle: ByteCount

    public static let free = Plan(
        id: "free", maxPublishedWorkshops: 3, maxContainers: 1, maxCPUs: 1, maxMemory: ByteCount(bytes: 512 << 20),
        maxPIDs: 256, maxDisk: ByteCount(bytes: 1 << 30), maxPortsPerContainer: 2, maxSteps: 10, maxChallenges: 25, maxSession: SpecDuration(seconds: 3600),
        networkModes: [.none, .isolated], maxBundle: ByteCount(bytes: 1 << 20))

    public static let pro = Plan(
        id: "pro", maxPublishedWorkshops: 50, maxContainers: 4, maxCPUs: 2, maxMemory: ByteCount(bytes: 2 << 30),
        maxPIDs: 1024, maxDisk: ByteCount(bytes: 10 << 30), maxPortsPerContainer: 10, maxSteps: 50, maxChallenges: 150, maxSession: SpecDuration(seconds: 4 * 3600),
        networkModes: [.none, .isolated, .internet], maxBundle: ByteCount(bytes: 8 << 20))

    public static let team = Plan(
        id: "team", maxPublishedWorkshops: nil, maxContainers: 10, maxCPUs: 4, maxMemory: ByteCount(bytes: 8 << 30),
        maxPIDs: 4096, maxDisk: ByteCount(bytes: 50 << 30), maxPortsPerContainer: 50, maxSteps: 200, maxChallenges: 1000, maxSession: SpecDuration(seconds: 12 * 3600),
        networkModes: [.none, .isolated, .internet], maxBundle: ByteCount(bytes: 32 << 20))

    /// Every plan, cheapest first.
    public static let all: [Plan] = [.free, .pro, .team]

    /// The plan with a name, if there is one.
    public static func named(_ name: String) -> Plan? {
        all.first { $0.id == name.lowercased() }
    }
}

extension Double {
    /// The shortest decimal spelling: `1`, `0.5`, `2.25`.
    public var formatted: String {
        if rounded() == self, abs(self) < 1e15 { return String(Int64(self)) }
        return String(self)
    }
}
