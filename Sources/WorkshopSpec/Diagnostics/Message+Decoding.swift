extension Message {
    static func typeMismatch(field: String, expected: String, found node: Node) -> Message {
        var found = node.kindDescription
        var help: String?
        if case .scalar(let scalar) = node.content {
            if scalar.isNull {
                found = "no value"
                help = "write a value after the colon, or remove the key"
            } else {
                found += " " + quoted(scalar.value)
                if scalar.style != .plain, expected.contains("number") || expected == "true or false" {
                    help = "remove the quotes"
                }
            }
        }
        return Message(.typeMismatch, "expected \(expected) for \(subject(field)), found \(found)", help: help)
    }

    static func unknownKey(_ key: String, in schema: ObjectSchema) -> Message {
        let names = schema.fields.map(\.name)
        let suggestion = closestMatch(to: key, in: names).map { "did you mean \(quoted($0))?" }
        return Message(.unknownKey, "unknown key \(quoted(key)) in \(schema.name); expected one of \(choices(names.sorted()))",
                       help: suggestion ?? "keys starting with 'x-' are allowed as extensions")
    }

    static func missingKey(_ key: String, in object: String) -> Message {
        Message(.missingKey, "missing required key \(quoted(key)) in \(object)")
    }

    static func missingOneOf(_ keys: [String], in object: String) -> Message {
        Message(.missingKey, "\(object) needs one of \(choices(keys))")
    }

    static func conflictingKeys(_ keys: [String]) -> Message {
        Message(.invalidValue, "\(keys.map { quoted($0) }.joined(separator: " and ")) cannot both be given",
                help: "keep exactly one of them")
    }

    static func tooFewItems(field: String, minimum: Int) -> Message {
        Message(.invalidValue, "\(subject(field)) needs at least \(minimum) item\(minimum == 1 ? "" : "s")")
    }

    static func tooManyItems(field: String, maximum: Int) -> Message {
        Message(.invalidValue, "\(subject(field)) may have at most \(maximum) items")
    }

    static func duplicateItem(_ value: String, field: String) -> Message {
        Message(.duplicateID, "\(quoted(value)) is listed twice in \(subject(field))", help: "remove the repeated item")
    }

    static func invalidFormat(_ value: String, field: String, format: StringFormat) -> Message {
        Message(.invalidValue, "\(quoted(value)) is not a valid \(subject(field, bare: true)); expected \(format.expectation)")
    }

    static func emptyString(field: String) -> Message {
        Message(.invalidValue, "\(subject(field)) must not be empty")
    }

    static func stringTooLong(field: String, length: Int, maximum: Int) -> Message {
        Message(.invalidValue, "\(subject(field)) is \(length) characters long; the most is \(maximum)")
    }

    static func notOneOf(_ value: String, field: String, choices values: [String]) -> Message {
        let suggestion = closestMatch(to: value, in: values).map { "did you mean \(quoted($0))?" }
        return Message(.invalidValue, "\(quoted(value)) is not a valid \(subject(field, bare: true)); expected \(choices(values))",
                       help: suggestion)
    }

    static func notWhole(_ value: String, field: String) -> Message {
        Message(.invalidValue, "\(subject(field)) must be a whole number, not \(quoted(value))")
    }

    static func outOfRange(_ value: String, field: String, range: ClosedRange<Int>) -> Message {
        let bound = range.upperBound == Int(Int32.max) || range.upperBound == Int.max
            ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
        return Message(.invalidValue, "\(subject(field)) is \(value); it must be \(bound)")
    }

    static func notAbove(_ value: String, field: String, minimum: Double) -> Message {
        Message(.invalidValue, "\(subject(field)) is \(value); it must be more than \(minimum.formatted)")
    }

    static func invalidDuration(_ value: String, field: String) -> Message {
        let help = CoreSchema.isInteger(value) ? "add a unit: '\(value)s' or '\(value)m'" : "write hours, minutes and seconds in that order, such as '1h30m' or '90s'"
        return Message(.invalidValue, "\(quoted(value)) is not a valid duration for \(subject(field))", help: help)
    }

    static func durationOutOfRange(_ value: String, field: String, of object: String, range: ClosedRange<Int>) -> Message {
        let help: String? = object == "check" && field == "timeout"
            ? "checks grade what the learner did and must be quick; do slow preparation in the challenge's setup" : nil
        return Message(.invalidValue, "\(subject(field)) of a \(object) is \(value); it must be from \(SpecDuration(seconds: range.lowerBound)) to \(SpecDuration(seconds: range.upperBound))",
                       help: help)
    }

    static func invalidMemory(_ value: String, field: String) -> Message {
        Message(.invalidValue, "\(quoted(value)) is not a valid memory size for \(subject(field))",
                help: "write a number with a unit such as '256Mi', '1.5Gi' or '512M'")
    }

    static func memoryTooSmall(_ value: String, field: String, minimum: ByteCount) -> Message {
        Message(.invalidValue, "\(subject(field)) is \(value); the least a container can run with is \(minimum)")
    }

    static func unsupportedVersion(_ value: String) -> Message {
        Message(.unsupportedVersion, "apiVersion \(quoted(value)) is not supported; this nalabo understands \(quoted(SpecSchema.apiVersion))",
                help: "set apiVersion: \(SpecSchema.apiVersion), or upgrade nalabo")
    }

    static func unpinnedImage(_ image: String) -> Message {
        Message(.unpinnedImage, "image \(quoted(image)) is not pinned to a version",
                help: "add a tag other than 'latest' or a digest, such as 'debian:bookworm-slim', so every learner gets the same image")
    }

    static func scriptNeedsContainer(_ names: [String], in object: String) -> Message {
        Message(.missingKey, "missing required key 'container' in \(object); the workshop has \(names.count) containers: \(names.map { quoted($0) }.joined(separator: ", "))",
                help: "add container: \(names[0]) (or another of them)")
    }

    static func fileReference(_ path: String, _ problem: FileReferenceProblem) -> Message {
        let (text, help): (String, String?) = switch problem {
        case .absolute: ("file \(quoted(path)) is an absolute path", "write the path relative to the workshop directory")
        case .parentDirectory: ("file \(quoted(path)) uses '..'", "referenced files must stay inside the workshop directory")
        case .escapes(let target): ("file \(quoted(path)) leads outside the workshop directory (to \(quoted(target)))", "copy the file into the workshop directory instead of linking to it")
        case .missing: ("file \(quoted(path)) does not exist", "paths are relative to the directory holding workshop.yaml")
        case .notRegularFile: ("\(quoted(path)) is not a regular file", nil)
        case .tooLarge(let bytes, let limit): ("file \(quoted(path)) is \(bytes) bytes; a referenced file may be at most \(limit) bytes", nil)
        case .notUTF8(let offset): ("file \(quoted(path)) is not valid UTF-8 at byte offset \(offset)", "save it as UTF-8 text")
        case .binary: ("file \(quoted(path)) is binary, not text", nil)
        case .unreadable(let reason): ("file \(quoted(path)) cannot be read: \(reason)", nil)
        }
        return Message(.fileReference, text, help: help)
    }

    /// `'title'`, or a description such as `an item of 'steps'` left as it is.
    private static func subject(_ field: String, bare: Bool = false) -> String {
        if field.hasPrefix("an item of") || field.hasPrefix("the ") { return field }
        return bare ? "value for \(quoted(field))" : quoted(field)
    }
}

/// The candidate closest to `word` when it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let limit = max(1, min(2, word.count / 3))
    return candidates
        .map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        .filter { $0.1 <= limit }
        .min { $0.1 < $1.1 }?.0
}

/// The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], previous2[j - 2] + 1)
            }
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}
