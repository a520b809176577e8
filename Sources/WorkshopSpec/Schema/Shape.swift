/// The shape a value must have: its YAML type and the constraints on it.
///
/// Shapes are the single description of the spec format: the decoder checks values against them and
/// ``JSONSchemaGenerator`` turns them into the JSON Schema that `nalabo schema` prints.
public indirect enum Shape: Sendable {
    /// A string (any scalar where a string is expected) with a format and a length in Unicode scalars.
    case string(StringFormat, length: ClosedRange<Int> = 1...Int.max)
    /// One of a fixed set of strings.
    case oneOf([String])
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// A number greater than `above` (exclusive).
    case number(above: Double)
    /// `true` or `false`.
    case boolean
    /// A duration such as `90s`, `45m` or `1h30m`, within a range of seconds.
    case duration(ClosedRange<Int>)
    /// A memory quantity in Kubernetes notation (`256Mi`, `1Gi`, `512M`), at least the given bytes.
    case memory(atLeast: Int64)
    /// A list of values of one shape.
    case list(of: Shape, count: ClosedRange<Int> = 0...Int.max, unique: Bool = false)
    /// A mapping from keys of a format to values of one shape.
    case dictionary(keys: StringFormat, values: Shape)
    /// A mapping with a fixed set of keys.
    case object(ObjectSchema)

    /// What a value of this shape is, completing "expected ...".
    public var expectation: String {
        switch self {
        case .string: "a string"
        case .oneOf(let values): "one of \(choices(values))"
        case .integer: "a whole number"
        case .number: "a number"
        case .boolean: "true or false"
        case .duration: "a duration such as '90s', '45m' or '1h30m'"
        case .memory: "a memory size such as '256Mi' or '1Gi'"
        case .list: "a list"
        case .dictionary, .object: "a mapping"
        }
    }
}

/// One key of an object.
public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    public var isRequired: Bool
    /// What the key means, for `nalabo schema` and the docs.
    public var summary: String
    /// The value used when the key is absent, as the user would write it.
    public var defaultValue: String?

    public init(_ name: String, _ shape: Shape, required: Bool = false, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.shape = shape
        self.isRequired = required
        self.summary = summary
        self.defaultValue = defaultValue
    }
}

/// A mapping with named keys: the fields it may have and how they combine.
public struct ObjectSchema: Sendable {
    /// The name of the object in messages and in the JSON Schema's `$defs`, such as "container".
    public var name: String
    public var summary: String
    public var fields: [Field]
    /// Groups of keys of which exactly one must be given, such as `run` and `script`.
    public var exactlyOne: [[String]]
    /// Groups of keys of which at most one may be given.
    public var atMostOne: [[String]]

    public init(_ name: String, _ summary: String, fields: [Field], exactlyOne: [[String]] = [], atMostOne: [[String]] = []) {
        self.name = name
        self.summary = summary
        self.fields = fields
        self.exactlyOne = exactlyOne
        self.atMostOne = atMostOne
    }

    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }

    /// Whether a key is an extension that nalabo ignores (`x-` prefix).
    static func isExtension(_ key: String) -> Bool { key.hasPrefix("x-") }
}
