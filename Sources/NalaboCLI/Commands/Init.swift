import ArgumentParser
import Foundation
import WorkshopSpec

extension Nalabo {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a starter workshop that validates cleanly and has a check and a solve.",
            discussion: "Refuses to overwrite an existing file unless --force is given.")

        @Argument(help: "The workshop directory; created when missing.", completion: .directory)
        var directory: String = "."

        @Option(help: "The workshop's slug; defaults to one made from the directory's name.")
        var slug: String?

        @Option(help: "The workshop's title.")
        var title: String = "My first workshop"

        @Flag(help: "Overwrite existing files.")
        var force = false

        func validate() throws {
            if let slug, !StringFormat.dnsLabel.accepts(slug) {
                throw ValidationError("'\(slug)' is not a valid slug; expected \(StringFormat.dnsLabel.expectation)")
            }
            guard StringFormat.text.accepts(title), (1...120).contains(title.count), !title.contains("\n") else {
                throw ValidationError("the title must be one line of 1 to 120 characters")
            }
        }

        func run() throws {
            let root = URL(fileURLWithPath: directory).standardizedFileURL
            let slug = slug ?? WorkshopTemplate.slug(from: root.lastPathComponent)
            let files = WorkshopTemplate.files(slug: slug, title: yamlScalar(title))
            let manager = FileManager.default
            if !force {
                let existing = files.keys.sorted().filter { manager.fileExists(atPath: root.appendingPathComponent($0).path) }
                guard existing.isEmpty else {
                    let names = existing.map { "'\(root.appendingPathComponent($0).path)'" }.joined(separator: ", ")
                    throw CommandFailure("\(names) already exist\(existing.count == 1 ? "s" : ""); use --force to overwrite").exit()
                }
            }
            do {
                for (path, text) in files.sorted(by: { $0.key < $1.key }) {
                    let url = root.appendingPathComponent(path)
                    try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(text.utf8).write(to: url, options: .atomic)
                }
            } catch {
                throw CommandFailure("cannot write the workshop into '\(root.path)': \(describe(error))").exit()
            }
            print("""
                Created the workshop '\(slug)' in \(root.path)
                Next:
                  nalabo validate \(directory)    check the spec
                  edit \(directory)/workshop.yaml and \(directory)/steps/first-file.md to make it yours
                """)
        }

        /// The title as a YAML scalar: quoted when plain style would change its meaning.
        private func yamlScalar(_ text: String) -> String {
            let plainSafe = text.first.map { $0.isLetter || $0.isNumber } ?? false
                && !text.contains(": ") && !text.contains(" #") && !text.hasSuffix(":")
            guard !plainSafe else { return text }
            return "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
    }
}
