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

    /// ECMAScript's Number::toString for finite doubles (ECMA-262 §6.1.6.1.20), as RFC 8785 requires: the
    /// shortest digits that round-trip, written positionally from 1e-7 (exclusive) up to 1e21 (exclusive) and in
    /// exponent form outside that range.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        if value < 0 { return "-" + number(-value) }
        // The shortest round-trip digits s (k of them) and n, with value = 0.s × 10^n, from Swift's description,
        // which gives the shortest digits closest to the value, as ECMAScript asks.
        let (digits, n) = shortestDigits(value)
        let k = digits.count
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let exponent = n - 1
        let sign = exponent < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return mantissa + "e" + sign + String(abs(exponent))
    }

    /// The digits of a positive finite double's shortest round-trip form, without leading or trailing zeros, and
    /// the position of the decimal point relative to them (value = 0.DIGITS × 10^n).
    static func shortestDigits(_ value: Double) -> (digits: String, n: Int) {
        let text = value.description   // "1.2345e-05", "0.001", "123.45", "1e+20"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first.map(String.init) ?? ""
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = whole + fraction
        var n = whole.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            n -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits.isEmpty ? "0" : digits, n)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
