/// A diagnostic's rule, text and fix, before it is given a place.
///
/// Every message nalabo reports is built by a static function in one of the `Message` catalogues, so they
/// share one voice: lowercase, no trailing period, user values in single quotes, the valid choices listed.
public struct Message: Sendable, Hashable {
    public var rule: Rule
    public var text: String
    public var help: String?

    public init(_ rule: Rule, _ text: String, help: String? = nil) {
        self.rule = rule
        self.text = text
        self.help = help
    }
}

/// Quotes a user-supplied value for a message, escaping what would make it unreadable.
func quoted(_ value: String, limit: Int = 60) -> String {
    var text = ""
    for scalar in value.unicodeScalars {
        if text.unicodeScalars.count >= limit {
            text += "…"
            break
        }
        switch scalar {
        case "\n": text += "\\n"
        case "\t": text += "\\t"
        case "'": text += "\\'"
        default:
            if StringFormat.isControl(scalar) {
                text += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
    }
    return "'\(text)'"
}

/// Lists choices for a message: `'a', 'b' or 'c'`.
func choices(_ values: [String]) -> String {
    let items = values.map { quoted($0) }
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " or " + (items.last ?? "")
}
