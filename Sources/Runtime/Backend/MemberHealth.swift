/// A session member's state, for `nalabo status` and the portal: whether it runs, and whether the kernel
/// killed it (or a process of it) for memory.
public struct MemberHealth: Sendable, Codable, Equatable {
    public var running: Bool
    /// In words: `running`, `exited (exit 137)`, `evicted`, `missing`.
    public var state: String
    /// The member itself was stopped for running out of memory.
    public var killedForMemory: Bool
    /// How many of its processes were killed for memory so far, when the backend can tell.
    public var outOfMemoryKills: Int?

    public init(running: Bool, state: String, killedForMemory: Bool, outOfMemoryKills: Int?) {
        self.running = running
        self.state = state
        self.killedForMemory = killedForMemory
        self.outOfMemoryKills = outOfMemoryKills
    }
}
