import Foundation

/// A workshop directory an importer wrote, as files by relative path (`workshop.yaml`, `IMPORTED.md`,
/// `steps/…`, `scripts/…`), with the report of what could not be carried over.
public struct ImportedWorkshop: Sendable {
    /// The workshop's slug (a DNS label, never empty).
    public var slug: String
    public var files: [String: Data]
    public var report: ImportReport
}

/// The source could not be read at all (no index.json or track.yml, not JSON or YAML, a field of the wrong type).
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The directory being imported. Every file it names is read only when it lies inside, with symlinks resolved
/// (a cloned scenario's `verify.sh -> ~/.aws/credentials` must not end up in a bundle).
struct ImportSource {
    let root: URL

    init(_ directory: String) {
        root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
    }

    /// Why a named file was not read, for the report.
    enum Problem: Error {
        case outside, missing, notText

        func message(_ relative: String, outsideWhat: String) -> String {
            switch self {
            case .outside: "\(relative) is outside the \(outsideWhat) (after following symlinks); not read"
            case .missing: "\(relative) does not exist"
            case .notText: "\(relative) is not UTF-8 text"
            }
        }
    }

    /// The path of `relative` when it lies inside the directory.
    func path(_ relative: String) -> String? {
        let path = root.appendingPathComponent(relative).standardizedFileURL.resolvingSymlinksInPath().path
        return path.hasPrefix(root.path + "/") ? path : nil
    }

    func text(_ relative: String) -> Result<String, Problem> {
        guard let path = path(relative) else { return .failure(.outside) }
        guard let bytes = FileManager.default.contents(atPath: path) else { return .failure(.missing) }
        guard let text = String(data: bytes, encoding: .utf8) else { return .failure(.notText) }
        return .success(text)
    }

    /// The names in a folder of the directory, sorted; empty when there is none.
    func listing(_ relative: String = "") -> [String] {
        let folder = relative.isEmpty ? root.path : path(relative)
        return (folder.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0) } ?? []).sorted()
    }
}

/// Text made to fit the spec's rules.
public enum ImportText {
    /// Text made a DNS label: lowercase letters, digits and single hyphens, at most `limit` characters.
    public static func label(_ text: String, limit: Int = 63) -> String {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) { result.unicodeScalars.append(scalar) }
            else if !result.isEmpty && !result.hasSuffix("-") { result += "-" }
        }
        result = String(result.prefix(limit))
        while result.hasSuffix("-") { result.removeLast() }
        return result
    }

    /// `label` made unique among `used` (and recorded there): `-2`, `-3`... within 63 characters.
    static func unique(_ label: String, fallback: String, in used: inout Set<String>) -> String {
        let base = label.isEmpty ? fallback : label
        var candidate = base
        var number = 2
        while used.contains(candidate) {
            candidate = Self.label(base, limit: 63 - "-\(number)".count) + "-\(number)"
            number += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// A title as the spec takes it: one line of at most 120 characters, without control characters.
    static func line(_ text: String, place: String, report: inout ImportReport) -> String {
        let one = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let visible = String(String.UnicodeScalarView(one.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        let trimmed = visible.trimmingCharacters(in: .whitespaces)
        if trimmed.count > 120 {
            report.changed(place, "cut to 120 characters")
            return String(trimmed.prefix(120))
        }
        return trimmed.isEmpty ? "Untitled" : trimmed
    }

    /// "15 minutes", "15 min", "15m", "15" as minutes.
    static func minutes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let value = Int(digits), value > 0 else { return nil }
        let rest = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        return ["", "m", "min", "mins", "minute", "minutes"].contains(rest) ? value : nil
    }
}
