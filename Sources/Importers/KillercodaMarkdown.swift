import Foundation

/// Killercoda's Markdown extensions, as nalabo reads them: `{{exec}}`, `{{copy}}` and `{{}}` after a code
/// span or fence make it runnable, copyable or neither in Killercoda's page. An `{{exec}}` fenced block becomes
/// a runnable block (```` ```sh run ````: `nalabo run N`, the portal's Run button); nalabo's code is always
/// copyable, so the other markers are removed (an inline `{{exec}}` span becomes plain code). The `{{exec}}`
/// blocks of a solution section (a `<details>` block whose summary, or a heading whose text, says "solution")
/// are the step's reference solution.
enum KillercodaMarkdown {
    static let markers = ["{{exec interrupt}}", "{{execute interrupt}}", "{{exec}}", "{{execute}}", "{{copy}}", "{{}}"]

    /// What ``convert(_:)`` made of a page.
    struct Converted: Equatable {
        var text: String
        /// `{{exec}}` fenced blocks made runnable.
        var runnable = 0
        /// `{{exec}}` spans inside a line, now plain code.
        var inlineRuns = 0
        /// `{{exec interrupt}}` markers, whose Ctrl-C first is not carried over.
        var interrupts = 0
    }

    /// The page in nalabo's Markdown: `{{exec}}` fences runnable, every other marker removed.
    static func convert(_ text: String) -> Converted {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var converted = Converted(text: "")
        var opening: Int?
        for index in lines.indices {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else { continue }
            guard let open = opening else {
                opening = index
                continue
            }
            opening = nil
            let after = trimmed.drop { $0 == "`" }.trimmingCharacters(in: .whitespaces)
            guard after.hasPrefix("{{exec") || after.hasPrefix("{{execute") else { continue }
            if after.contains("interrupt") { converted.interrupts += 1 }
            // The marker goes; the opening fence's info gets `run` (a language first: the first word is one).
            lines[index] = String(line[..<(line.range(of: "{{")?.lowerBound ?? line.endIndex)]).trimmingTrailingSpaces
            let info = lines[open].trimmingCharacters(in: .whitespaces).drop { $0 == "`" }.trimmingCharacters(in: .whitespaces)
            lines[open] = lines[open].trimmingTrailingSpaces + (info.isEmpty ? "sh run" : " run")
            converted.runnable += 1
        }
        let joined = lines.joined(separator: "\n")
        converted.inlineRuns = ["{{exec}}", "{{execute}}", "{{exec interrupt}}", "{{execute interrupt}}"]
            .reduce(0) { $0 + joined.components(separatedBy: $1).count - 1 }
        converted.interrupts += ["{{exec interrupt}}", "{{execute interrupt}}"].reduce(0) { $0 + joined.components(separatedBy: $1).count - 1 }
        converted.text = strip(joined).text
        return converted
    }

    /// The text without markers, and how many were removed.
    static func strip(_ text: String) -> (text: String, removed: Int) {
        var text = text
        var removed = 0
        for marker in markers {
            let parts = text.components(separatedBy: marker)
            removed += parts.count - 1
            text = parts.joined()
        }
        return (text, removed)
    }

    /// The commands of the `{{exec}}` code blocks and spans inside solution sections, in order.
    static func solution(in text: String) -> [String] {
        var commands: [String] = []
        var inSolution = false
        var solutionHeadingLevel: Int?
        var fence: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = fence {
                if trimmed.hasPrefix("```") {
                    let after = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                    if inSolution && after.hasPrefix("{{exec") { commands.append(block.joined(separator: "\n")) }
                    fence = nil
                } else {
                    block.append(line)
                    fence = block
                }
                continue
            }
            if trimmed.hasPrefix("```") { fence = []; continue }
            let lower = trimmed.lowercased()
            if lower.hasPrefix("<details") { inSolution = lower.contains("solution") }
            if lower.hasPrefix("<summary") && lower.contains("solution") { inSolution = true }
            if lower.hasPrefix("</details") { inSolution = false }
            if let level = headingLevel(trimmed) {
                if lower.contains("solution") {
                    inSolution = true
                    solutionHeadingLevel = level
                } else if let open = solutionHeadingLevel, level <= open {
                    inSolution = false
                    solutionHeadingLevel = nil
                }
            }
            // One-line `command`{{exec}} spans: each is the span that ends at its marker (`ls` then `pwd`{{exec}}
            // runs pwd only).
            if inSolution {
                var rest = Substring(line)
                while let end = rest.range(of: "`{{exec") {
                    if let start = rest[..<end.lowerBound].lastIndex(of: "`") {
                        commands.append(String(rest[rest.index(after: start)..<end.lowerBound]))
                    }
                    rest = rest[end.upperBound...]
                }
            }
        }
        return commands
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard hashes > 0, hashes <= 6, line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }
}

extension String {
    /// Without trailing spaces and tabs.
    var trimmingTrailingSpaces: String {
        var text = self
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
