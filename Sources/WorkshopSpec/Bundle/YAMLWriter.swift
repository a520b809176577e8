/// Writes a node tree as block-style YAML that nalabo reads back to the same values: strings are plain
/// only where plain text cannot be mistaken for something else, multi-line text uses literal blocks.
public enum YAMLWriter {
    public static func write(_ node: Node) -> String {
        var output = ""
        write(node, indent: 0, into: &output, inline: false)
        return output
    }

    private static func write(_ node: Node, indent: Int, into output: inout String, inline: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch node.content {
        case .scalar(let scalar):
            output += (inline ? " " : pad) + scalarText(scalar, indent: indent) + "\n"
        case .sequence(let items):
            guard !items.isEmpty else { output += (inline ? " " : pad) + "[]\n"; return }
            if inline { output += "\n" }
            for item in items {
                output += pad + "-"
                switch item.content {
                case .mapping(let entries) where !entries.isEmpty:
                    // The first key shares the dash's line; the rest line up under it.
                    var first = ""
                    write(item, indent: indent + 2, into: &first, inline: false)
                    output += " " + first.dropFirst(indent + 2)
                default:
                    write(item, indent: indent + 2, into: &output, inline: true)
                }
            }
        case .mapping(let entries):
            guard !entries.isEmpty else { output += (inline ? " " : pad) + "{}\n"; return }
            if inline { output += "\n" }
            for entry in entries {
                output += pad + keyText(entry.key.value) + ":"
                write(entry.value, indent: indent + 2, into: &output, inline: true)
            }
        }
    }

    private static func keyText(_ key: String) -> String {
        isPlainSafe(key) ? key : JSONValue.string(key).compact
    }

    private static func scalarText(_ scalar: Scalar, indent: Int) -> String {
        let value = scalar.value
        // A plain scalar that was a number, boolean or null stays exactly as it was.
        if scalar.style == .plain { return value.isEmpty ? "null" : value }
        if value.contains("\n"), !value.hasPrefix(" "), !value.contains("\r"), value.unicodeScalars.allSatisfy({ $0 == "\n" || $0 == "\t" || $0.value >= 0x20 }) {
            let trailing = value.reversed().prefix { $0 == "\n" }.count
            let chomp = trailing == 0 ? "-" : trailing == 1 ? "" : "+"
            let pad = String(repeating: " ", count: indent)
            let lines = (trailing == 0 ? value : String(value.dropLast(trailing))).split(separator: "\n", omittingEmptySubsequences: false)
            return "|" + chomp + "\n" + lines.map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
                + String(repeating: "\n", count: max(0, trailing - 1))
        }
        return isPlainSafe(value) ? value : JSONValue.string(value).compact
    }

    /// Text that reads back as the same string when written plain.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              first != " ", last != " " else { return false }
        if "-?:,[]{}#&*!|>'\"%@`~".unicodeScalars.contains(first) { return false }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") || text.contains("\t") { return false }
        if ["true", "false", "null", "Null", "NULL", "yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) { return false }
        if CoreSchema.isNumber(text) || text.hasPrefix("0x") || text.hasPrefix("0o") || text.hasPrefix(".") { return false }
        return text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != "\u{FEFF}" }
    }
}
