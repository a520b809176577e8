import Foundation
import WorkshopSpec

/// Renders a step's Markdown for a terminal: headings stand out, fenced code is indented behind a bar so it
/// can be copied, inline code and emphasis are highlighted when colour is on and plain otherwise.
struct MarkdownTerminal {
    var color: Bool

    private func style(_ codes: String, _ text: String) -> String {
        color ? "\u{1B}[\(codes)m\(text)\u{1B}[0m" : text
    }

    func render(_ markdown: String) -> String {
        var lines: [String] = []
        var fence: String?
        // The author's text never drives the terminal: control characters are gone before styling starts.
        for raw in markdown.terminalSafe().split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil; continue }
                lines.append(style("2", "  │ ") + style("36", line))
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                continue
            }
            if let heading = Self.heading(trimmed) {
                lines.append(style(heading.level <= 2 ? "1;4" : "1", inline(heading.text)))
                continue
            }
            lines.append(inline(line))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func heading(_ line: String) -> (level: Int, text: String)? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return (hashes, String(line.dropFirst(hashes + 1)))
    }

    /// `code` and **strong**; their markers are removed, the text is kept (other Markdown stays as written).
    func inline(_ text: String) -> String {
        let line = text.terminalSafe(singleLine: true)
        var result = ""
        var index = line.startIndex
        while index < line.endIndex {
            let rest = line[index...]
            if rest.hasPrefix("`"), let close = rest.dropFirst().firstIndex(of: "`") {
                result += style("36", String(rest[rest.index(after: index)..<close]))
                index = line.index(after: close)
            } else if rest.hasPrefix("**"), let close = rest.dropFirst(2).range(of: "**") {
                result += style("1", String(rest[rest.index(index, offsetBy: 2)..<close.lowerBound]))
                index = close.upperBound
            } else {
                result.append(line[index])
                index = line.index(after: index)
            }
        }
        return result
    }
}
