/// Reads one mapping through its ``ObjectSchema``: reports unknown, missing and conflicting keys up front,
/// then hands out typed, located values, reporting each value that does not fit its field's shape.
///
/// Accessors return nil for an absent or invalid value (the problem is already reported), so decoding
/// code can fall back and go on: one run reports every problem.
///
/// Mappings and schemas are small (a dozen keys at most), so keys are looked up by searching the entries
/// and the schema's fields in place, which costs less than hashing every key into a dictionary.
struct ObjectReader {
    let schema: ObjectSchema
    let location: SourceLocation
    let context: DecodingContext
    /// The entries whose keys are fields of the schema, in the order written.
    private let entries: [Node.Entry]

    /// Reads `node` as `schema`, or reports a type mismatch and returns nil when it is not a mapping.
    ///
    /// - Parameter field: what the mapping is, for the type mismatch; only evaluated to report one.
    /// - Parameter key: where the key naming this mapping is written; missing keys are reported there, which
    ///   is where a reader looks for them. List items and the document report at the mapping itself.
    init?(_ node: Node, as schema: ObjectSchema, context: DecodingContext, field: @autoclosure () -> String? = nil, key: SourceLocation? = nil) {
        guard case .mapping(let list) = node.content else {
            context.sink.report(.typeMismatch(field: field() ?? schema.name, expected: "a mapping", found: node), at: node.location)
            return nil
        }
        self.schema = schema
        self.location = node.location
        self.context = context
        var entries: [Node.Entry] = []
        entries.reserveCapacity(list.count)
        for entry in list {
            let key = entry.key.value
            if ObjectSchema.isExtension(key) { continue }
            guard Self.fieldIndex(key, in: schema) != nil else {
                context.sink.report(.unknownKey(key, in: schema), at: entry.key.location)
                continue
            }
            entries.append(entry)
        }
        self.entries = entries
        let missingAt = key ?? node.location
        // By index: iterating the fields themselves would copy every field (name, shape and summary).
        for index in schema.fields.indices where schema.fields[index].isRequired && !has(schema.fields[index].name) {
            context.sink.report(.missingKey(schema.fields[index].name, in: schema.name), at: missingAt)
        }
        for group in schema.exactlyOne {
            let count = group.count(where: has)
            if count == 0 {
                context.sink.report(.missingOneOf(group, in: schema.name), at: missingAt)
            } else if count > 1 {
                reportConflict(in: group)
            }
        }
        for group in schema.atMostOne where group.count(where: has) > 1 {
            reportConflict(in: group)
        }
    }

    /// Reports the keys of a group given together, at the second one written.
    private func reportConflict(in group: [String]) {
        let present = group.compactMap(entry).sorted { $0.key.location < $1.key.location }
        context.sink.report(.conflictingKeys(present.map(\.key.value)), at: present[1].key.location)
    }

    /// The position of the field called `name` among the schema's fields.
    private static func fieldIndex(_ name: String, in schema: ObjectSchema) -> Int? {
        schema.fields.firstIndex { $0.name == name }
    }

    /// The entry of a key; the last one should a hand-built mapping repeat it (the parser never does).
    private func entry(_ name: String) -> Node.Entry? {
        entries.last { $0.key.value == name }
    }

    var sink: DiagnosticSink { context.sink }

    func has(_ name: String) -> Bool { entry(name) != nil }

    /// The raw node of a key, for values decoded by hand.
    func node(_ name: String) -> Node? { entry(name)?.value }

    /// The location of a key, or of this mapping when the key is absent.
    func keyLocation(_ name: String) -> SourceLocation { entry(name)?.key.location ?? location }

    /// The shape of one of the schema's fields.
    private func shape(_ name: String) -> Shape {
        guard let index = Self.fieldIndex(name, in: schema) else {
            assertionFailure("'\(name)' is not a field of \(schema.name)")
            return .string(.text)
        }
        return schema.fields[index].shape
    }

    /// The written value of a key or, with `defaulted` and the key absent, the schema's default for it (a field's
    /// `default`, as a user would write it, at this mapping): defaults are decoded, and checked, by the same shape
    /// as written values, so ``SpecSchema`` is the only place they are stated.
    private func value(_ name: String, defaulted: Bool) -> Node? {
        if let node = node(name) { return node }
        guard defaulted, let index = Self.fieldIndex(name, in: schema), let text = schema.fields[index].defaultValue else { return nil }
        let style: Scalar.Style = switch schema.fields[index].shape {
        case .string, .oneOf: .doubleQuoted
        default: .plain
        }
        return Node(.scalar(Scalar(value: text, style: style)), at: location, expandedSize: 1)
    }

    // MARK: Typed values

    func string(_ name: String, defaulted: Bool = false) -> Located<String>? {
        guard let node = value(name, defaulted: defaulted) else { return nil }
        return ValueDecoder(context: context).string(node, shape: shape(name), field: name)
    }

    func integer(_ name: String, defaulted: Bool = false) -> Located<Int>? {
        guard let node = value(name, defaulted: defaulted), case .integer(let range) = shape(name) else { return nil }
        return ValueDecoder(context: context).integer(node, in: range, field: name)
    }

    func boolean(_ name: String, defaulted: Bool = false) -> Located<Bool>? {
        guard let node = value(name, defaulted: defaulted), case .boolean = shape(name) else { return nil }
        return ValueDecoder(context: context).boolean(node, field: name)
    }

    func number(_ name: String, defaulted: Bool = false) -> Located<Double>? {
        guard let node = value(name, defaulted: defaulted), case .number(let above) = shape(name) else { return nil }
        return ValueDecoder(context: context).number(node, above: above, field: name)
    }

    func duration(_ name: String, defaulted: Bool = false) -> Located<SpecDuration>? {
        guard let node = value(name, defaulted: defaulted), case .duration(let range) = shape(name) else { return nil }
        return ValueDecoder(context: context).duration(node, in: range, field: name, of: schema.name)
    }

    func memory(_ name: String, defaulted: Bool = false) -> Located<ByteCount>? {
        guard let node = value(name, defaulted: defaulted), case .memory(let minimum) = shape(name) else { return nil }
        return ValueDecoder(context: context).memory(node, atLeast: minimum, field: name)
    }

    /// A list of strings, each checked against the list's element shape.
    func strings(_ name: String) -> [Located<String>] {
        list(name) { decoder, node, element in decoder.string(node, shape: element, field: name) }
    }

    func integers(_ name: String) -> [Located<Int>] {
        list(name) { decoder, node, element in
            guard case .integer(let range) = element else { return nil }
            return decoder.integer(node, in: range, field: name)
        }
    }

    /// A mapping of environment-variable names to strings, in the order written.
    func environment(_ name: String) -> [EnvironmentVariable] {
        guard let node = node(name), case .dictionary(let keys, let values) = shape(name) else { return [] }
        guard case .mapping(let list) = node.content else {
            sink.report(.typeMismatch(field: name, expected: "a mapping", found: node), at: node.location)
            return []
        }
        let decoder = ValueDecoder(context: context)
        return list.compactMap { entry in
            guard keys.accepts(entry.key.value) else {
                sink.report(.invalidFormat(entry.key.value, field: name, format: keys), at: entry.key.location)
                return nil
            }
            guard let value = decoder.string(entry.value, shape: values, field: entry.key.value) else { return nil }
            return EnvironmentVariable(name: entry.key.value, value: value.value)
        }
    }

    /// A nested object.
    func object(_ name: String) -> ObjectReader? {
        guard let node = node(name), case .object(let schema) = shape(name) else { return nil }
        return ObjectReader(node, as: schema, context: context, field: name, key: entry(name)?.key.location)
    }

    /// A nested object or, when it is absent, an empty one at this mapping, whose fields then all take their
    /// defaults (an absent `resources:` is the schema's default resources). Nil only when the value is no mapping.
    func objectOrEmpty(_ name: String) -> ObjectReader? {
        guard node(name) == nil else { return object(name) }
        guard case .object(let schema) = shape(name) else { return nil }
        return ObjectReader(Node(.mapping([]), at: location, expandedSize: 1), as: schema, context: context, key: location)
    }

    /// An empty mapping read as `schema` at `location`: its fields' defaults, for an optional object that was
    /// left out (`limits:`), with nothing reported.
    static func empty(_ schema: ObjectSchema, at location: SourceLocation, context: DecodingContext) -> ObjectReader? {
        ObjectReader(Node(.mapping([]), at: location, expandedSize: 1), as: schema, context: context, key: location)
    }

    /// A list of objects.
    func objects(_ name: String) -> [ObjectReader] {
        list(name) { decoder, node, element in
            guard case .object(let schema) = element else { return nil }
            return ObjectReader(node, as: schema, context: decoder.context, field: "an item of '\(name)'")
        }
    }

    private func list<T>(_ name: String, element decode: (ValueDecoder, Node, Shape) -> T?) -> [T] {
        guard let node = node(name), case .list(let element, let count, let unique) = shape(name) else { return [] }
        guard case .sequence(let items) = node.content else {
            sink.report(.typeMismatch(field: name, expected: "a list", found: node), at: node.location)
            return []
        }
        if items.count < count.lowerBound {
            sink.report(.tooFewItems(field: name, minimum: count.lowerBound), at: node.location)
        } else if items.count > count.upperBound, let extra = items.dropFirst(count.upperBound).first {
            sink.report(.tooManyItems(field: name, maximum: count.upperBound), at: extra.location)
        }
        if unique {
            var seen: [String: SourceLocation] = [:]
            for item in items {
                guard case .scalar(let scalar) = item.content else { continue }
                if let first = seen[scalar.value] {
                    sink.report(.duplicateItem(scalar.value, field: name), at: item.location, notes: [.init("first listed here", at: first)])
                } else {
                    seen[scalar.value] = item.location
                }
            }
        }
        let decoder = ValueDecoder(context: context)
        return items.compactMap { decode(decoder, $0, element) }
    }
}
