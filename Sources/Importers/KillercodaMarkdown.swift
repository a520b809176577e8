import Foundation

/// Killercoda's Markdown extensions, as nalabo reads them: `{{exec}}`, `{{copy}}` and `{{}}` after a code
/// span or fence make it runnable, copyable or neither in Killercoda's page. nalabo's code blocks are always
/// copyable, so the markers are removed; the `{{exec}}` blocks of a solution section (a `<details>` block whose
/// summary, or a heading whose text, says "solution") are the step's reference solution.
enum KillercodaMarkdown {
    static let markers = ["{{exec interrupt}}", "{{execute interrupt}}", "{{exec}}", "{{execute}}", "{{copy}}", "{{}}"]

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
