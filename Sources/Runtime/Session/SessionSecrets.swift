import Foundation
import WorkshopSpec

/// Where the values of a workshop's `secrets:` come from when a session starts: a file the instructor or the
/// operator supplies (`NAME=value` lines, as an env file), else the environment's `NALABO_SECRET_NAME`. The
/// values go to the backend with the containers' environment and nowhere else: not into the session's record,
/// its bundle, the catalogue or any output.
public struct SecretSource: Sendable {
    public var environment: [String: String]
    /// An env file; its values win over the environment's.
    public var file: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, file: String? = nil) {
        self.environment = environment
        self.file = file
    }

    /// The prefix of the environment variables that hold secrets.
    public static let prefix = "NALABO_SECRET_"

    /// A secrets file that cannot be read, or a line of it that is not `NAME=value`.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Some secrets have no value.
    public struct Missing: Error, Sendable, CustomStringConvertible, Equatable {
        public var names: [String]
        public var file: String?
        public var description: String {
            let list = names.joined(separator: ", ")
            let exports = names.map { "\(SecretSource.prefix)\($0)" }.joined(separator: ", ")
            return "the workshop needs the secret\(names.count == 1 ? "" : "s") \(list), which \(names.count == 1 ? "has" : "have") no value: "
                + "set \(exports) in the environment, or give a file of NAME=value lines with --secrets FILE\(file.map { " (\($0) has no line for \(names.count == 1 ? "it" : "them"))" } ?? "")"
        }
    }

    /// The values of `names`, or what is missing.
    public func values(for names: [String]) throws -> [String: String] {
        guard !names.isEmpty else { return [:] }
        let fromFile = try file.map(Self.read) ?? [:]
        var values: [String: String] = [:]
        var missing: [String] = []
        for name in names {
            if let value = fromFile[name] ?? environment[Self.prefix + name] { values[name] = value } else { missing.append(name) }
        }
        guard missing.isEmpty else { throw Missing(names: missing, file: file) }
        return values
    }

    /// Reads an env file: `NAME=value` lines; blank lines and `#` comments are skipped; one pair of matching
    /// quotes around a value is removed.
    static func read(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Unreadable(description: "the secrets file \(path) cannot be read (it must exist and be UTF-8 text)")
        }
        var values: [String: String] = [:]
        // Lines end with LF or CRLF (a file saved on Windows): "\r\n" is one Character, so split on scalars.
        let lines = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" && $0 != "\u{FEFF}" }))
        for (index, raw) in lines.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let body = line.hasPrefix("export ") ? String(line.dropFirst(7)) : line
            guard let equals = body.firstIndex(of: "="), !body[..<equals].isEmpty else {
                // The line is not repeated: it may be a value.
                throw Unreadable(description: "\(path):\(index + 1): expected NAME=value")
            }
            var value = String(body[body.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[String(body[..<equals])] = value
        }
        return values
    }
}
