/// A JSON value, written by nalabo's own encoder so that output is byte-for-byte stable: canonical
/// (RFC 8785) for bundles and digests, indented for people.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in the order given; the canonical form sorts them.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.canonical == rhs.canonical
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonical)
    }

    /// An object from optional members; nil members are left out.
    public static func members(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    public static func string(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }

    /// RFC 8785 JSON Canonicalization: no whitespace, keys sorted by UTF-16 code units, shortest numbers.
    public var canonical: String {
        var output = ""
        write(to: &output, indent: nil, sortKeys: true, level: 0)
        return output
    }

    /// Indented with two spaces, keys in the order given.
    public var pretty: String {
        var output = ""
        write(to: &output, indent: "  ", sortKeys: false, level: 0)
        return output
    }

    /// On one line, keys in the order given.
    public var compact: String {
        var output = ""
        write(to: &output, indent: nil, sortKeys: false, level: 0)
        return output
    }

    private func write(to output: inout String, indent: String?, sortKeys: Bool, level: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += Self.number(value)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                Self.newline(&output, indent, level + 1)
                item.write(to: &output, indent: indent, sortKeys: sortKeys, level: level + 1)
            }
            Self.newline(&output, indent, level)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            let ordered = sortKeys ? members.sorted { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) } : members
            output += "{"
            for (index, (key, value)) in ordered.enumerated() {
                if index > 0 { output += "," }
                Self.newline(&output, indent, level + 1)
                Self.writeString(key, to: &output)
                output += indent == nil ? ":" : ": "
                value.write(to: &output, indent: indent, sortKeys: sortKeys, level: level + 1)
            }
            Self.newline(&output, indent, level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        output += "\n" + String(repeating: indent, count: level)
    }

    /// Escapes as RFC 8785 requires: `"` and `\`, the short escapes, other controls as `\u00XX`.
    static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// ECMAScript's Number-to-String for finite doubles, as RFC 8785 requires.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        if value.rounded() == value, abs(value) < 1e21 {
            return integralString(value)
        }
        // Swift's description is the shortest round-trip form; adapt its exponent to ECMAScript's.
        var text = String(value)
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var exponent = String(text[text.index(after: e)...])
            let negative = exponent.hasPrefix("-")
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" }.drop { $0 == "0" })
            text = mantissa + "e" + (negative ? "-" : "+") + (exponent.isEmpty ? "0" : exponent)
        }
        return text
    }

    private static func integralString(_ value: Double) -> String {
        if abs(value) < 9.2e18 { return String(Int64(value)) }
        // Large integral doubles: print all digits, as ECMAScript does below 1e21.
        var digits = String(value)  // "1.2345e+20"
        guard let e = digits.firstIndex(of: "e") else { return digits }
        let exponent = Int(digits[digits.index(after: e)...]) ?? 0
        var mantissa = String(digits[..<e]).replacingDot()
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let pointOffset = 1 + exponent
        digits = mantissa + String(repeating: "0", count: max(0, pointOffset - mantissa.count))
        return (negative ? "-" : "") + digits
    }
}

private extension String {
    func replacingDot() -> String { filter { $0 != "." } }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
