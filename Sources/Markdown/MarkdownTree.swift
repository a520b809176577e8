import CCmarkGFM

#if canImport(Glibc)
import Glibc
#endif

/// A node of a GitHub-flavoured Markdown document as cmark-gfm parsed it, copied into Swift values.
struct MarkdownNode: Sendable {
    enum Kind: Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, paragraph, heading, thematicBreak, table, tableRow,
             tableCell, text, softBreak, lineBreak, code, htmlInline, emph, strong, link, image, strikethrough, other
    }

    var kind: Kind
    var literal = ""
    /// A fenced code block's info string (`sh run`).
    var info = ""
    var url = ""
    var headingLevel = 0
    var isOrderedList = false
    var listStart = 1
    /// For a task-list item: whether it is ticked.
    var taskChecked: Bool?
    var isTableHeader = false
    var children: [MarkdownNode] = []
}

/// A parsed document (GFM: tables, strikethrough, autolinks, task lists).
struct MarkdownTree {
    var root: MarkdownNode

    /// Nil only when cmark-gfm cannot allocate its parser.
    init?(_ markdown: String) {
        cmark_gfm_core_extensions_ensure_registered()
        let options = CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_FOOTNOTES
        guard let parser = cmark_parser_new(options) else { return nil }
        defer { cmark_parser_free(parser) }
        for name in ["table", "strikethrough", "autolink", "tasklist"] {
            if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
        }
        var bytes = Array(markdown.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parser_feed(parser, $0, buffer.count) }
        }
        guard let document = cmark_parser_finish(parser) else { return nil }
        defer { cmark_node_free(document) }
        root = Self.copy(document, depth: 0)
    }

    /// Deeper nesting than this is flattened into its text (a hostile document cannot exhaust the stack).
    static let deepest = 64

    private static func copy(_ node: OpaquePointer, depth: Int) -> MarkdownNode {
        var copied = MarkdownNode(kind: kind(of: node))
        if let literal = cmark_node_get_literal(node) { copied.literal = String(cString: literal) }
        switch copied.kind {
        case .heading: copied.headingLevel = Int(cmark_node_get_heading_level(node))
        case .codeBlock: if let info = cmark_node_get_fence_info(node) { copied.info = String(cString: info) }
        case .list:
            copied.isOrderedList = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            copied.listStart = Int(cmark_node_get_list_start(node))
        case .item:
            if let type = cmark_node_get_type_string(node), String(cString: type) == "tasklist" {
                copied.taskChecked = cmark_gfm_extensions_get_tasklist_item_checked(node)
            }
        case .link, .image:
            if let url = cmark_node_get_url(node) { copied.url = String(cString: url) }
        case .tableRow: copied.isTableHeader = cmark_gfm_extensions_get_table_row_is_header(node) != 0
        default: break
        }
        var child = cmark_node_first_child(node)
        while let current = child {
            if depth < deepest {
                copied.children.append(copy(current, depth: depth + 1))
            } else {
                copied.children.append(MarkdownNode(kind: .paragraph, children: [MarkdownNode(kind: .text, literal: text(of: current))]))
            }
            child = cmark_node_next(current)
        }
        return copied
    }

    /// The text of a subtree, walked with cmark's iterator (no recursion), lines joined by spaces.
    private static func text(of node: OpaquePointer) -> String {
        guard let iterator = cmark_iter_new(node) else { return "" }
        defer { cmark_iter_free(iterator) }
        var parts: [String] = []
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard let current = cmark_iter_get_node(iterator), cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER,
                  let literal = cmark_node_get_literal(current) else { continue }
            parts.append(String(cString: literal))
        }
        return parts.joined(separator: " ")
    }

    private static func kind(of node: OpaquePointer) -> MarkdownNode.Kind {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST: return .list
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_HEADING: return .heading
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        case CMARK_NODE_EMPH: return .emph
        case CMARK_NODE_STRONG: return .strong
        case CMARK_NODE_LINK: return .link
        case CMARK_NODE_IMAGE: return .image
        default:
            guard let name = cmark_node_get_type_string(node) else { return .other }
            switch String(cString: name) {
            case "table": return .table
            case "table_header", "table_row": return .tableRow
            case "table_cell": return .tableCell
            case "strikethrough": return .strikethrough
            case "tasklist": return .item
            default: return .other
            }
        }
    }
}
