import Foundation
import WorkshopSpec

/// A YAML file of another platform read with nalabo's own parser (libyaml), with the questions an importer asks:
/// a mapping's keys, a string, a list. Unknown keys are collected by the caller.
struct YAMLDocument {
    let node: Node

    /// Why a file could not be read as YAML.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    init(text: String, file: String) throws {
        let sink = DiagnosticSink(file: file)
        guard let root = YAMLParser.parse(SourceFile(path: file, text: text), into: sink) else {
            let first = sink.diagnostics.first.map { "\($0.location): \($0.message)" } ?? "it is empty"
            throw Unreadable(description: "\(file) is not YAML nalabo can read: \(first)")
        }
        node = root
    }

    init(_ node: Node) { self.node = node }
}

extension Node {
    /// The entries of a mapping (empty for anything else).
    var entries: [Node.Entry] {
        if case .mapping(let entries) = content { entries } else { [] }
    }

    /// A mapping's keys, in order.
    var keys: [String] { entries.map(\.key.value) }

    subscript(_ key: String) -> Node? { entries.first { $0.key.value == key }?.value }

    /// A scalar's text; nil for null, a list or a mapping.
    var text: String? {
        guard case .scalar(let scalar) = content, !scalar.isNull else { return nil }
        return scalar.value
    }

    /// A list's items (empty for anything else).
    var items: [Node] {
        if case .sequence(let items) = content { items } else { [] }
    }
}
