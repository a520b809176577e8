import ArgumentParser
import Foundation
import WorkshopSpec

extension Nalabo {
    struct Bundle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle",
            abstract: "Write a workshop as canonical JSON and print its digest.",
            discussion: """
                The bundle is the spec with every default written out plus the text of every referenced \
                file, as RFC 8785 canonical JSON. Its digest (sha256:HEX) does not change with YAML formatting, \
                comments, key order, anchors or x- extensions, and changes with any value that matters.

                With -o the bundle is written to FILE and the digest printed; without it the bundle goes to \
                standard output and the digest to standard error. A spec with errors is reported as \
                `nalabo validate` reports it, and nothing is written (exit 1).
                """
        )

        @Argument(help: "A workshop directory or spec file.", completion: .file())
        var path: String

        @Option(name: .shortAndLong, help: "Write the bundle to this file.", completion: .file())
        var output: String?

        @Option(help: "Also check the limits of this plan.")
        var plan: String?

        func validate() throws {
            if let plan, Plan.named(plan) == nil {
                throw ValidationError("unknown plan '\(plan)'; expected one of \(Plan.all.map(\.id).joined(separator: ", "))")
            }
        }

        func run() throws {
            let workshop = try SpecPath.loadValid(path, plan: plan.flatMap(Plan.named))
            let bundle = WorkshopBundle(workshop)
            let text = bundle.canonicalText
            if let output {
                do {
                    // Atomic for files (no half-written bundle), but a rename must never replace a device or FIFO
                    // such as /dev/null: write into those directly.
                    let isSpecial = (try? FileManager.default.attributesOfItem(atPath: output)[.type] as? FileAttributeType)
                        .map { $0 != .typeRegular } ?? false
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: isSpecial ? [] : .atomic)
                } catch {
                    throw CommandFailure("cannot write '\(output)': \(describe(error))").exit()
                }
                print(bundle.digest)
            } else {
                print(text)
                Terminal.standardError.write(bundle.digest + "\n")
            }
        }
    }
}
