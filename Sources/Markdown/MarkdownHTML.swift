import CCmarkGFM

#if canImport(Glibc)
import Glibc
#endif

/// GitHub-flavoured Markdown (tables, task lists, strikethrough, autolinks) rendered to HTML by cmark-gfm in
/// its safe mode: raw HTML is left out (`<!-- raw HTML omitted -->`) and links or images whose URL is
/// `javascript:`, `vbscript:`, `file:` or a non-image `data:` lose their URL. A published workshop is
/// untrusted content to the learner who reads it, so nothing it writes can run in the page.
public enum MarkdownHTML {
    private static let extensions = ["table", "strikethrough", "autolink", "tasklist", "tagfilter"]

    /// The HTML of `markdown`. Invalid UTF-8 is replaced, never rejected.
    public static func render(_ markdown: String) -> String {
        cmark_gfm_core_extensions_ensure_registered()
        // The full info string keeps a runnable block's `run` (as `data-meta`) for the page's Run button.
        let options = CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_GITHUB_PRE_LANG | CMARK_OPT_FULL_INFO_STRING | CMARK_OPT_FOOTNOTES | CMARK_OPT_SMART
        guard let parser = cmark_parser_new(options) else { return escape(markdown) }
        defer { cmark_parser_free(parser) }
        for name in extensions {
            if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
        }
        var bytes = Array(markdown.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parser_feed(parser, $0, buffer.count) }
        }
        guard let document = cmark_parser_finish(parser) else { return escape(markdown) }
        defer { cmark_node_free(document) }
        guard let html = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else { return escape(markdown) }
        defer { free(html) }
        return String(cString: html)
    }

    /// Text made safe to place in HTML content or a quoted attribute.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
