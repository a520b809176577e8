/// Turns ``SpecSchema`` into a JSON Schema (draft 2020-12) that editors such as yaml-language-server use
/// for completion and checking. Generated, never hand-kept, so it always matches the validator.
///
/// The schema checks shapes; what needs the whole workshop (unique ids, references, plan limits) is left to
/// `nalabo validate`.
public enum JSONSchemaGenerator {
    public static let identifier = "https://nalabo.dev/schemas/workshop-v1.json"

    public static func generate() -> JSONValue {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string(identifier)),
            ("title", .string("nalabo workshop spec (\(SpecSchema.apiVersion))")),
            ("$ref", .string("#/$defs/\(SpecSchema.workshop.name)")),
            ("$defs", .object(SpecSchema.objects.map { ($0.name, object($0)) })),
        ])
    }

    static func object(_ schema: ObjectSchema) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("type", .string("object")),
            ("description", .string(schema.summary)),
            ("properties", .object(schema.fields.map { field in (field.name, property(field)) })),
            ("patternProperties", .object([("^x-", .object([]))])),
            ("additionalProperties", .bool(false)),
        ]
        let required = schema.fields.filter(\.isRequired).map { JSONValue.string($0.name) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        var conditions: [JSONValue] = []
        for group in schema.exactlyOne {
            conditions.append(.object([("oneOf", .array(group.map { .object([("required", .array([.string($0)]))]) }))]))
        }
        for group in schema.atMostOne {
            conditions.append(.object([("not", .object([("required", .array(group.map(JSONValue.string)))]))]))
        }
        if conditions.count == 1, case .object(let only) = conditions[0] {
            members += only
        } else if !conditions.isEmpty {
            members.append(("allOf", .array(conditions)))
        }
        return .object(members)
    }

    static func property(_ field: Field) -> JSONValue {
        guard case .object(var members) = shape(field.shape) else { return shape(field.shape) }
        var description = field.summary
        if let value = field.defaultValue { description += " Default: \(value)." }
        members.append(("description", .string(description)))
        return .object(members)
    }

    static func shape(_ shape: Shape) -> JSONValue {
        switch shape {
        case .string(let format, let length):
            var members: [(String, JSONValue)] = [("type", .string("string"))]
            if length.lowerBound > 0 { members.append(("minLength", .int(Int64(length.lowerBound)))) }
            if length.upperBound < Int.max { members.append(("maxLength", .int(Int64(length.upperBound)))) }
            if let pattern = format.pattern { members.append(("pattern", .string(pattern))) }
            if format == .regularExpression { members.append(("format", .string("regex"))) }
            return .object(members)
        case .oneOf(let values):
            return .object([("enum", .array(values.map(JSONValue.string)))])
        case .integer(let range):
            return .object([
                ("type", .string("integer")),
                ("minimum", .int(Int64(range.lowerBound))), ("maximum", .int(Int64(range.upperBound))),
            ])
        case .number(let above):
            return .object([("type", .string("number")), ("exclusiveMinimum", .double(above))])
        case .boolean:
            return .object([("type", .string("boolean"))])
        case .duration:
            return .object([("type", .string("string")), ("pattern", .string("^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$"))])
        case .memory:
            return .object([
                ("type", .array([.string("string"), .string("integer")])),
                ("pattern", .string("^[0-9]+(\\.[0-9]+)?([KMGTP]i?|k|[eE][0-9]+)?$")),
            ])
        case .list(let element, let count, let unique):
            var members: [(String, JSONValue)] = [("type", .string("array")), ("items", self.shape(element))]
            if count.lowerBound > 0 { members.append(("minItems", .int(Int64(count.lowerBound)))) }
            if count.upperBound < Int.max { members.append(("maxItems", .int(Int64(count.upperBound)))) }
            if unique { members.append(("uniqueItems", .bool(true))) }
            return .object(members)
        case .dictionary(let keys, let values):
            var members: [(String, JSONValue)] = [("type", .string("object"))]
            if let pattern = keys.pattern { members.append(("propertyNames", .object([("pattern", .string(pattern))]))) }
            // Values are strings as written: YAML editors see `PORT: 8080` as a number, so allow scalars.
            let scalars: JSONValue = .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))])
            if case .string = values { members.append(("additionalProperties", scalars)) } else {
                members.append(("additionalProperties", self.shape(values)))
            }
            return .object(members)
        case .object(let schema):
            return .object([("$ref", .string("#/$defs/\(schema.name)"))])
        }
    }
}
