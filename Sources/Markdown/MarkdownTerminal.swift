import Foundation

/// GitHub-flavoured Markdown rendered for a terminal from cmark-gfm's syntax tree: headings stand out, code
/// blocks sit behind a bar so they can be copied, lists, task lists, quotes, GitHub alerts (`> [!NOTE]`),
/// tables and links stay readable without colour; with colour, styles are ANSI SGR codes. Raw HTML is not
/// interpreted: its tags are dropped and its text kept (a `<summary>` reads as a disclosure line). The
/// author's text never drives the terminal: control characters (escape sequences included) are removed.
public struct MarkdownTerminal: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    /// The terminal text of a Markdown document, without a trailing newline. Runnable blocks
    /// (``RunnableBlocks``) are labelled `nalabo run N`, numbered from `firstRunnable`.
    public func render(_ markdown: String, firstRunnable: Int = 1) -> String {
        guard let document = MarkdownTree(markdown) else { return Self.safe(markdown) }
        var lines: [String] = []
        var runnable = firstRunnable
        for block in document.root.children {
            let rendered = self.block(block, runnable: &runnable)
            guard !rendered.isEmpty else { continue }
            if !lines.isEmpty { lines.append("") }
            lines += rendered
        }
        return lines.joined(separator: "\n")
    }

    /// One line of inline Markdown (a hint, a fail message): code, emphasis and links styled, breaks as spaces.
    public func inline(_ markdown: String) -> String {
        guard let document = MarkdownTree(markdown) else { return Self.safe(markdown) }
        return document.root.children.map { inlines($0).replacingOccurrences(of: "\n", with: " ") }.joined(separator: " ")
    }

    private func style(_ codes: String, _ text: String) -> String {
        color && !text.isEmpty ? "\u{1B}[\(codes)m\(text)\u{1B}[0m" : text
    }

    // MARK: blocks

    private func block(_ node: MarkdownNode, runnable: inout Int) -> [String] {
        switch node.kind {
        case .heading:
            let text = inlines(node)
            return [style(node.headingLevel <= 2 ? "1;4" : "1", text)]
        case .paragraph:
            return inlines(node).components(separatedBy: "\n")
        case .codeBlock:
            var code = node.literal
            if code.hasSuffix("\n") { code.removeLast() }
            var lines = code.components(separatedBy: "\n").map { style("2", "  │ ") + style("36", Self.safe($0)) }
            if let container = RunnableBlocks.marker(node.info) {
                lines.insert(style("2", "  ▶ ") + style("1", "nalabo run \(runnable)") + (container.isEmpty ? "" : style("2", " (in \(Self.safe(container)))")), at: 0)
                runnable += 1
            }
            return lines
        case .blockQuote:
            return quote(node, runnable: &runnable)
        case .list:
            return list(node, runnable: &runnable)
        case .thematicBreak:
            return [style("2", String(repeating: "─", count: 40))]
        case .htmlBlock:
            return Self.textOfHTML(node.literal).map { Self.safe($0) }
        case .table:
            return table(node)
        default:
            var lines: [String] = []
            for child in node.children { lines += block(child, runnable: &runnable) }
            return lines
        }
    }

    private func blocks(_ node: MarkdownNode, runnable: inout Int) -> [String] {
        var lines: [String] = []
        for child in node.children {
            let rendered = block(child, runnable: &runnable)
            guard !rendered.isEmpty else { continue }
            if !lines.isEmpty && !(child.kind == .list && node.kind == .item) { lines.append("") }
            lines += rendered
        }
        return lines
    }

    /// A quote behind a bar; a GitHub alert's `[!NOTE]` (TIP, IMPORTANT, WARNING, CAUTION) becomes its label.
    private func quote(_ node: MarkdownNode, runnable: inout Int) -> [String] {
        var lines = blocks(node, runnable: &runnable)
        let alerts = ["NOTE": "34", "TIP": "32", "IMPORTANT": "35", "WARNING": "33", "CAUTION": "31"]
        var bar = style("2", "│ ")
        if let first = lines.first, first.hasPrefix("[!"), let close = first.firstIndex(of: "]") {
            let kind = String(first[first.index(first.startIndex, offsetBy: 2)..<close]).uppercased()
            if let code = alerts[kind] {
                let rest = first[first.index(after: close)...].trimmingLeadingSpaces
                lines[0] = style("1;" + code, kind.prefix(1) + kind.dropFirst().lowercased())
                if !rest.isEmpty { lines.insert(String(rest), at: 1) }
                bar = style(code, "│ ")
            }
        }
        return lines.map { bar + $0 }
    }

    private func list(_ node: MarkdownNode, runnable: inout Int) -> [String] {
        var lines: [String] = []
        var number = node.listStart
        for item in node.children {
            var marker = node.isOrderedList ? "\(number)." : "•"
            if let checked = item.taskChecked { marker = checked ? "[x]" : "[ ]" }
            number += 1
            let body = blocks(item, runnable: &runnable)
            let indent = String(repeating: " ", count: marker.count + 1)
            for (index, line) in body.enumerated() {
                lines.append(index == 0 ? marker + " " + line : (line.isEmpty ? "" : indent + line))
            }
            if body.isEmpty { lines.append(marker) }
        }
        return lines.map { $0.isEmpty ? $0 : "  " + $0 }
    }

    /// A table with its columns padded to their widest cell (by characters) and the header in bold.
    private func table(_ node: MarkdownNode) -> [String] {
        let rows = node.children.map { row in (header: row.isTableHeader, cells: row.children.map { inlines($0) }) }
        let columns = rows.map(\.cells.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.cells.enumerated() { widths[index] = max(widths[index], Self.visibleWidth(cell)) }
        }
        var lines: [String] = []
        for row in rows {
            let cells = (0..<columns).map { index -> String in
                let cell = index < row.cells.count ? row.cells[index] : ""
                let padded = cell + String(repeating: " ", count: widths[index] - Self.visibleWidth(cell))
                return row.header ? style("1", padded) : padded
            }
            var line = cells.joined(separator: style("2", " │ "))
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
            if row.header {
                lines.append(style("2", widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")))
            }
        }
        return lines
    }

    // MARK: inlines

    private func inlines(_ node: MarkdownNode) -> String {
        node.children.map(inline).joined()
    }

    private func inline(_ node: MarkdownNode) -> String {
        switch node.kind {
        case .text: return Self.safe(node.literal)
        case .softBreak, .lineBreak: return "\n"
        case .code: return style("36", Self.safe(node.literal))
        case .emph: return style("3", inlines(node))
        case .strong: return style("1", inlines(node))
        case .strikethrough: return style("9", inlines(node))
        case .htmlInline: return ""
        case .link:
            let text = inlines(node)
            let url = Self.safe(node.url)
            return url.isEmpty || url == text || "mailto:" + text == url ? style("4", text) : style("4", text) + style("2", " (\(url))")
        case .image:
            let alt = inlines(node)
            return style("2", "[image: \(alt.isEmpty ? Self.safe(node.url) : alt)]")
        default: return inlines(node)
        }
    }

    // MARK: text

    /// Text without control characters (C0 but newline and tab, DEL, C1): nothing an author writes can move the
    /// cursor, change colours or retitle the terminal.
    static func safe(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result.append(scalar)
            case 0x09: result.append(contentsOf: "    ".unicodeScalars)
            case 0x00..<0x20, 0x7F..<0xA0: continue
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// What a raw HTML block reads as: its text without tags, a `<summary>` as a disclosure line.
    static func textOfHTML(_ html: String) -> [String] {
        var text = ""
        var tag: String?
        for character in html {
            if var open = tag {
                if character == ">" {
                    let name = open.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first.map(String.init) ?? ""
                    if name == "summary" && !open.hasPrefix("/") {
                        text += "\n▸ "
                    } else if ["br", "p", "div", "details", "summary", "li", "tr"].contains(name) {
                        text += "\n"
                    }
                    tag = nil
                } else {
                    open.append(character)
                    tag = open
                }
            } else if character == "<" {
                tag = ""
            } else {
                text.append(character)
            }
        }
        return text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Characters a string takes on screen, not counting SGR escape sequences.
    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var escape = false
        for scalar in text.unicodeScalars {
            if escape {
                if scalar == "m" { escape = false }
            } else if scalar == "\u{1B}" {
                escape = true
            } else {
                width += 1
            }
        }
        return width
    }
}

private extension Substring {
    var trimmingLeadingSpaces: Substring { drop { $0 == " " } }
}
