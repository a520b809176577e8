extension Message {
    static func fileTooLarge(bytes: Int, limit: Int) -> Message {
        Message(.documentLimit, "the file is \(bytes) bytes; a spec file may be at most \(limit) bytes",
                help: "move long instructions into content_file Markdown files")
    }

    static func invalidUTF8(offset: Int) -> Message {
        Message(.documentLimit, "the file is not valid UTF-8 at byte offset \(offset)",
                help: "save the file as UTF-8")
    }

    static let multipleDocuments = Message(
        .documentLimit, "a spec file holds exactly one YAML document; a second one starts here",
        help: "remove the '---' separator and everything after it, or move the second workshop into its own directory")

    static func scalarTooLong(bytes: Int, limit: Int) -> Message {
        Message(.documentLimit, "this value is \(bytes) bytes; a value may be at most \(limit) bytes",
                help: "move long text into a file referenced with content_file or script")
    }

    static func controlCharacter(_ byte: UInt8) -> Message {
        Message(.documentLimit, "this value contains the control character \(controlName(byte)); only tab and newline are allowed",
                help: "remove the control character or its escape sequence")
    }

    static func rawControlCharacter(_ byte: UInt8, offset: Int) -> Message {
        Message(.documentLimit, "the file contains the control character \(controlName(byte)) at byte offset \(offset)",
                help: "remove it; a spec is text, and only tab and newline are allowed in values")
    }

    private static func controlName(_ byte: UInt8) -> String {
        byte == 0 ? "NUL" : "U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4))"
    }

    static func tooManyAliases(limit: Int) -> Message {
        Message(.documentLimit, "more than \(limit) alias uses in one file",
                help: "write the repeated values out, or use fewer aliases")
    }

    static func tooManyNodes(limit: Int) -> Message {
        Message(.documentLimit, "the document expands to more than \(limit) nodes",
                help: "nested aliases multiply the document; write the values out or split the workshop")
    }

    static func tooDeep(limit: Int) -> Message {
        Message(.documentLimit, "nesting is deeper than \(limit) levels")
    }

    static func undefinedAlias(_ name: String) -> Message {
        Message(.yamlSyntax, "the alias '*\(name)' refers to no anchor defined before it",
                help: "define '&\(name)' earlier in the file; an anchor cannot refer to itself")
    }

    static func explicitTag(_ tag: String) -> Message {
        Message(.yamlSyntax, "explicit tags such as \(quoted(tag)) are not supported",
                help: "remove the tag; nalabo types every value by its place in the spec")
    }

    static let complexKey = Message(.yamlSyntax, "a mapping key must be a plain string, not a list or mapping")

    static let invalidMerge = Message(
        .yamlSyntax, "a merge key ('<<') takes a mapping or a list of mappings",
        help: "write '<<: *anchor' where the anchor names a mapping")

    static func duplicateKey(_ key: String) -> Message {
        Message(.duplicateKey, "duplicate key \(quoted(key))", help: "remove one of the two entries")
    }

    static func libyaml(problem: String, context: String?) -> Message {
        var text = problem
        if let context, !context.isEmpty { text += " " + context }
        let help = switch problem {
        case "mapping values are not allowed in this context":
            "a value that contains ': ' must be quoted, such as title: \"Step 1: start\"; otherwise check the indentation"
        case "found character that cannot start any token":
            "indent with spaces, not tabs; quote a value that starts with '@' or '`'"
        case "did not find expected key", "did not find expected '-' indicator":
            "this line is not indented like the keys (or items) above it"
        case "found unexpected end of stream":
            "a quote or bracket is not closed"
        case "found undefined tag handle", "did not find expected tag URI":
            "remove the tag; nalabo types every value by its place in the spec"
        default:
            "check the indentation and quoting around this position"
        }
        return Message(.yamlSyntax, text, help: help)
    }
}
