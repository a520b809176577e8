import Foundation
import Testing
import WorkshopSpec

/// The examples in the README and docs/ are re-run, so the documentation cannot drift from what nalabo does.
@Suite struct DocumentationTests {
    /// A fenced block: its language and text.
    struct Block {
        var language: String
        var text: String
        /// The HTML comment on the line before the fence, if any.
        var annotation: String?
    }

    static func blocks(in markdown: String) -> [Block] {
        var blocks: [Block] = []
        var current: Block?
        var previous = ""
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if var block = current {
                if line == "```" {
                    blocks.append(block)
                    current = nil
                } else {
                    block.text += line + "\n"
                    current = block
                }
            } else if line.hasPrefix("```") {
                let annotation = previous.hasPrefix("<!--") ? previous.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces) : nil
                current = Block(language: String(line.dropFirst(3)), text: "", annotation: annotation)
            }
            previous = String(line)
        }
        return blocks
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: packageRoot + "/" + path, encoding: .utf8)
    }

    @Test func readmeShowsTheBrokenExampleAndItsExactOutput() throws {
        let blocks = Self.blocks(in: try Self.read("README.md"))
        let example = try #require(blocks.first { $0.annotation?.hasPrefix("readme-example:") == true })
        let path = String(try #require(example.annotation).dropFirst("readme-example:".count)).trimmingCharacters(in: .whitespaces)
        #expect(example.text == (try Self.read(path)))

        let output = try #require(blocks.first { $0.annotation?.hasPrefix("readme-output:") == true })
        let command = String(try #require(output.annotation).dropFirst("readme-output: nalabo ".count)).split(separator: " ").map(String.init)
        let result = try Nalabo.run(command, in: packageRoot)
        #expect(result.status == 1)
        #expect(output.text == result.stdout)
    }

    @Test func everyRuleIsDocumentedWithAnExampleThatProducesTheShownOutput() throws {
        let markdown = try Self.read("docs/diagnostics.md")
        let sections = markdown.components(separatedBy: "\n## ").dropFirst()
        var documented: [String] = []
        for section in sections {
            let rule = String(section.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
            let pairs = Self.blocks(in: section).filter { $0.language == "yaml" || $0.language == "text" }
            guard Rule(rawValue: rule) != nil else { continue }
            documented.append(rule)
            try #require(pairs.map(\.language) == ["yaml", "text"], "section \(rule) needs one yaml and one text block")
            let directory = try TemporaryDirectory()
            try directory.write("workshop.yaml", pairs[0].text)
            let result = try Nalabo.run(["validate", "workshop.yaml", "--plan", "free", "--color", "never"], in: directory.path)
            #expect(result.stdout == pairs[1].text, "the example of \(rule) no longer produces the output shown")
            #expect(result.stdout.contains("[\(rule)]"), "the example of \(rule) does not trigger it")
            #expect(result.status == (Rule(rawValue: rule)?.severity == .error ? 1 : 0))
        }
        #expect(documented == Rule.allCases.map(\.rawValue))
    }

    @Test func cliReferenceMentionsEveryCommandAndExitCode() throws {
        let markdown = try Self.read("docs/cli.md")
        for command in ["validate", "bundle", "init", "plans", "schema", "import killercoda", "import instruqt", "next", "publish", "pull", "catalogue list", "catalogue show",
                        "catalogue migrate", "catalogue local", "yank", "stats", "whoami", "admin"] {
            #expect(markdown.contains("nalabo \(command)"), "docs/cli.md does not describe \(command)")
        }
        for option in ["--format", "--plan", "--strict", "--color", "NO_COLOR", "--database-url", "NALABO_DATABASE_URL"] {
            #expect(markdown.contains(option))
        }
    }

    @Test func specReferenceShowsThePlanTableNalaboPrints() throws {
        let markdown = try Self.read("docs/spec.md")
        let table = try Nalabo.run(["plans"]).stdout
        #expect(markdown.contains(table), "docs/spec.md should quote `nalabo plans` verbatim")
        for object in SpecSchema.objects {
            for field in object.fields {
                #expect(markdown.contains("`\(field.name)`"), "docs/spec.md does not document \(object.name).\(field.name)")
            }
        }
    }
}
