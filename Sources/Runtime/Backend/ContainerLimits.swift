/// The resource limits applied to every container.
public struct ContainerLimits: Sendable, Equatable {
    public var memoryBytes: Int64
    public var nanoCPUs: Int64
    public var pids: Int
    /// The most the container may write to its filesystem; nil for no limit.
    public var diskBytes: Int64? = nil
}
