/// One line of an image pull's progress.
public struct PullEvent: Sendable, Equatable {
    public var image: String
    /// The layer the event is about, if any.
    public var layer: String?
    public var status: String
    public var current: Int64?
    public var total: Int64?
}
