/// Types scalar values by the shape the schema expects there (YAML 1.2 core schema, no 1.1 surprises):
/// any scalar is a string where a string is expected, numbers must be plain numbers, and a quoted `"5"`
/// never becomes a number.
struct ValueDecoder {
    let context: DecodingContext

    private var sink: DiagnosticSink { context.sink }

    /// A non-null scalar, or a reported type mismatch.
    ///
    /// - Parameter expected: what the field takes, for the message; only built when there is one to report.
    private func scalar(_ node: Node, field: String, expected: @autoclosure () -> String) -> Scalar? {
        guard case .scalar(let scalar) = node.content, !scalar.isNull else {
            sink.report(.typeMismatch(field: field, expected: expected(), found: node), at: node.location)
            return nil
        }
        return scalar
    }

    func string(_ node: Node, shape: Shape, field: String) -> Located<String>? {
        guard let scalar = scalar(node, field: field, expected: shape.expectation) else { return nil }
        let value = scalar.value
        switch shape {
        case .string(let format, let length):
            if let count = Self.scalarCount(of: value, ifOutside: length) {
                if count < length.lowerBound {
                    sink.report(.emptyString(field: field), at: node.location)
                    return nil
                }
                if count > length.upperBound {
                    sink.report(.stringTooLong(field: field, length: count, maximum: length.upperBound), at: node.location)
                    return nil
                }
            }
            guard format.accepts(value) else {
                sink.report(.invalidFormat(value, field: field, format: format), at: node.location)
                return nil
            }
        case .oneOf(let values):
            guard values.contains(value) else {
                sink.report(.notOneOf(value, field: field, choices: values), at: node.location)
                return nil
            }
        default:
            assertionFailure("string(_:) used for a \(shape) field")
        }
        return Located(value, at: node.location)
    }

    /// The length of `value` in Unicode scalars, or nil when its UTF-8 length alone shows that it is within
    /// `range`: a scalar takes one to four bytes, so long texts such as Markdown content are not counted.
    static func scalarCount(of value: String, ifOutside range: ClosedRange<Int>) -> Int? {
        let bytes = value.utf8.count
        if bytes <= range.upperBound && (bytes + 3) / 4 >= range.lowerBound { return nil }
        let count = value.unicodeScalars.count
        return range.contains(count) ? nil : count
    }

    func integer(_ node: Node, in range: ClosedRange<Int>, field: String) -> Located<Int>? {
        guard let scalar = scalar(node, field: field, expected: "a whole number") else { return nil }
        guard scalar.style == .plain, CoreSchema.isNumber(scalar.value) else {
            sink.report(.typeMismatch(field: field, expected: "a whole number", found: node), at: node.location)
            return nil
        }
        guard CoreSchema.isInteger(scalar.value) else {
            sink.report(.notWhole(scalar.value, field: field), at: node.location)
            return nil
        }
        guard let value = Int(scalar.value.hasPrefix("+") ? String(scalar.value.dropFirst()) : scalar.value),
              range.contains(value) else {
            sink.report(.outOfRange(scalar.value, field: field, range: range), at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }

    /// `true` or `false`, written plain (a quoted "true" is a string).
    func boolean(_ node: Node, field: String) -> Located<Bool>? {
        guard let scalar = scalar(node, field: field, expected: Shape.boolean.expectation) else { return nil }
        guard scalar.style == .plain, scalar.value == "true" || scalar.value == "false" else {
            sink.report(.typeMismatch(field: field, expected: Shape.boolean.expectation, found: node), at: node.location)
            return nil
        }
        return Located(scalar.value == "true", at: node.location)
    }

    func number(_ node: Node, above minimum: Double, field: String) -> Located<Double>? {
        guard let scalar = scalar(node, field: field, expected: "a number") else { return nil }
        guard scalar.style == .plain, CoreSchema.isNumber(scalar.value), let value = Double(scalar.value), value.isFinite else {
            sink.report(.typeMismatch(field: field, expected: "a number", found: node), at: node.location)
            return nil
        }
        guard value > minimum else {
            sink.report(.notAbove(scalar.value, field: field, minimum: minimum), at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }

    func duration(_ node: Node, in range: ClosedRange<Int>, field: String, of object: String) -> Located<SpecDuration>? {
        guard let scalar = scalar(node, field: field, expected: Shape.duration(range).expectation) else { return nil }
        guard let duration = SpecDuration(scalar.value) else {
            sink.report(.invalidDuration(scalar.value, field: field), at: node.location)
            return nil
        }
        guard range.contains(duration.seconds) else {
            sink.report(.durationOutOfRange(scalar.value, field: field, of: object, range: range), at: node.location)
            return nil
        }
        return Located(duration, at: node.location)
    }

    func memory(_ node: Node, atLeast minimum: Int64, field: String) -> Located<ByteCount>? {
        guard let scalar = scalar(node, field: field, expected: Shape.memory(atLeast: minimum).expectation) else { return nil }
        guard let bytes = ByteCount(scalar.value) else {
            sink.report(.invalidMemory(scalar.value, field: field), at: node.location)
            return nil
        }
        guard bytes.bytes >= minimum else {
            sink.report(.memoryTooSmall(scalar.value, field: field, minimum: ByteCount(bytes: minimum)), at: node.location)
            return nil
        }
        return Located(bytes, at: node.location)
    }
}
