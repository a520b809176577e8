/// A YAML node with the location libyaml reported for it: the tree the decoder reads.
///
/// Aliases are resolved while parsing (an alias shares the anchored node's storage) and merge keys
/// (`<<`) are applied, so consumers see plain scalars, sequences and mappings.
public struct Node: Sendable {
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Entry])
    }

    /// A mapping entry. Keys are always scalars; the parser rejects any other key.
    public struct Entry: Sendable {
        public var key: Located<String>
        public var value: Node
    }

    public var content: Content
    public var location: SourceLocation
    /// The number of nodes this node stands for once aliases are expanded (itself included).
    var expandedSize: Int

    init(_ content: Content, at location: SourceLocation, expandedSize: Int) {
        self.content = content
        self.location = location
        self.expandedSize = expandedSize
    }

    /// A short description of the node's kind for messages: "a string", "a list", "a mapping".
    public var kindDescription: String {
        switch content {
        case .scalar(let scalar):
            if scalar.isNull { return "null" }
            if scalar.style == .plain {
                if scalar.value == "true" || scalar.value == "false" { return "a boolean" }
                if CoreSchema.isNumber(scalar.value) { return "a number" }
            }
            return "a string"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A scalar's text and how it was written; the style decides how a plain scalar may be typed.
public struct Scalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style

    /// Whether the scalar is YAML's null: an empty plain scalar, `~`, or `null`.
    public var isNull: Bool {
        style == .plain && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }
}

/// The YAML 1.2 core schema's number forms, used where the spec expects numbers and to describe values.
enum CoreSchema {
    /// Whether a plain scalar is an integer in the core schema: decimal with an optional sign.
    static func isInteger(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8[...]
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
        return !utf8.isEmpty && utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Whether a plain scalar is a number (integer or float) in the core schema. Infinities and NaN are excluded:
    /// nothing in the spec format can use them.
    static func isNumber(_ text: String) -> Bool {
        if isInteger(text) { return true }
        var sawDigit = false
        var sawDot = false
        var sawExponent = false
        var previous: UInt8 = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard index == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return false }
            case UInt8(ascii: "."):
                guard !sawDot, !sawExponent else { return false }
                sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard sawDigit, !sawExponent else { return false }
                sawExponent = true
                sawDigit = false
            default:
                return false
            }
            previous = byte
        }
        return sawDigit
    }
}
