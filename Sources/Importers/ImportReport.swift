/// What an import could not carry over as it was, for the author to finish by hand.
public struct ImportReport: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Carried over with a change the author should know about.
        case changed
        /// Not carried over at all.
        case dropped
        /// A field the importer does not know.
        case unknown
    }

    public struct Note: Sendable, Equatable, CustomStringConvertible {
        public var kind: Kind
        /// Where in the source: a file, or a field path such as `details.steps[1].foreground`.
        public var place: String
        public var message: String
        public var description: String { "\(kind.rawValue): \(place): \(message)" }
    }

    public var notes: [Note] = []

    public init() {}

    mutating func changed(_ place: String, _ message: String) { notes.append(Note(kind: .changed, place: place, message: message)) }
    mutating func dropped(_ place: String, _ message: String) { notes.append(Note(kind: .dropped, place: place, message: message)) }
    mutating func unknown(_ place: String, _ message: String) { notes.append(Note(kind: .unknown, place: place, message: message)) }

    /// The report as Markdown, written beside the imported workshop.
    public func markdown(source: String) -> String {
        var text = "# Imported from \(source)\n\nWhat `nalabo import` could not carry over as it was. Finish these by hand, then run\n`nalabo validate` and `nalabo test`.\n\n"
        if notes.isEmpty { return text + "Everything was carried over.\n" }
        for kind in [Kind.dropped, .unknown, .changed] {
            let some = notes.filter { $0.kind == kind }
            guard !some.isEmpty else { continue }
            text += "## \(kind == .dropped ? "Not carried over" : kind == .unknown ? "Unknown fields" : "Changed")\n\n"
            text += some.map { "- `\($0.place)`: \($0.message)\n" }.joined() + "\n"
        }
        return text
    }
}
