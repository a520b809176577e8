import Markdown
import Testing

/// `nalabo instructions` renders a step's Markdown through cmark-gfm for the terminal.
@Suite struct MarkdownTerminalTests {
    let plain = MarkdownTerminal(color: false)

    @Test func blocksReadAsTextWithoutColour() {
        let markdown = """
            # Files

            Make a directory with `mkdir`, **then** check. See [the manual](https://example.org/mkdir).

            ```sh
            mkdir -p /root/projects
            ls -ld /root/projects
            ```

            1. first
            2. second
               - nested

            - [x] done
            - [ ] to do

            > [!WARNING]
            > This removes files.

            > a quote

            ---
            """
        #expect(plain.render(markdown) == """
            Files

            Make a directory with mkdir, then check. See the manual (https://example.org/mkdir).

              │ mkdir -p /root/projects
              │ ls -ld /root/projects

              1. first
              2. second
                   • nested

              [x] done
              [ ] to do

            │ Warning
            │ This removes files.

            │ a quote

            ────────────────────────────────────────
            """)
    }

    @Test func tablesAreAlignedAndDetailsKeepTheirText() {
        let markdown = """
            | Command | Does |
            |---|---|
            | `ls` | lists |
            | `mkdir -p` | makes parents |

            <details><summary>Hint</summary>

            Use `-p`.

            </details>
            """
        #expect(plain.render(markdown) == """
            Command  │ Does
            ─────────┼──────────────
            ls       │ lists
            mkdir -p │ makes parents

            ▸ Hint

            Use -p.
            """)
    }

    @Test func colourStylesAndNothingTheAuthorWritesDrivesTheTerminal() {
        let coloured = MarkdownTerminal(color: true)
        #expect(coloured.render("## Title") == "\u{1B}[1;4mTitle\u{1B}[0m")
        #expect(coloured.inline("run `ls`") == "run \u{1B}[36mls\u{1B}[0m")
        let hostile = "Hello \u{1B}]0;owned\u{07}\u{1B}[2J world\n\n```\n\u{1B}[31mred\u{9B}\n```"
        for rendered in [plain.render(hostile), coloured.render(hostile), plain.inline(hostile)] {
            #expect(!rendered.unicodeScalars.contains { $0 == "\u{07}" || $0 == "\u{9B}" })
            #expect(!rendered.contains("\u{1B}]") && !rendered.contains("\u{1B}[2J") && !rendered.contains("\u{1B}[31m"))
        }
        #expect(plain.render(hostile).hasPrefix("Hello ]0;owned[2J world"))
    }

    @Test func runnableBlocksAreFoundInOrderAndLabelledWithTheirNumber() {
        let markdown = """
            Make it:

            ```sh run
            mkdir -p /srv/app
            ```

            Only read this:

            ```sh
            cat /etc/os-release
            ```

            1. Then, on the web container:

               ```sh run=web
               nginx -t
               ```

            ```run
            ls
            ```
            """
        #expect(RunnableBlocks.find(in: markdown) == [
            RunnableBlock(code: "mkdir -p /srv/app\n"), RunnableBlock(code: "nginx -t\n", container: "web"), RunnableBlock(code: "ls\n"),
        ])
        let text = plain.render(markdown, firstRunnable: 4)
        #expect(text.contains("  ▶ nalabo run 4\n  │ mkdir -p /srv/app"), "\(text)")
        #expect(text.contains("▶ nalabo run 5 (in web)\n") && text.contains("  ▶ nalabo run 6\n  │ ls"), "\(text)")
        #expect(!text.contains("nalabo run 7") && text.contains("  │ cat /etc/os-release"))
        // The page keeps the marker for its Run button; a block without one has none.
        let html = MarkdownHTML.render(markdown)
        #expect(html.contains(#"<pre lang="sh" data-meta="run"><code>mkdir"#) && html.contains(#"data-meta="run=web""#), "\(html)")
        #expect(html.contains(#"<pre lang="sh"><code>cat"#) && html.contains(#"<pre lang="run"><code>ls"#))
    }

    @Test func deepNestingIsFlattenedNotACrash() {
        let deep = String(repeating: "> ", count: 5000) + "deep"
        #expect(plain.render(deep).hasSuffix("deep"))
        #expect(plain.inline("a\nb") == "a b")
    }
}
