import ArgumentParser
import Foundation
import WorkshopSpec

extension Nalabo {
    struct Bundle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
            let spec = try SpecPath.loadOne(path, plan: plan.flatMap(Plan.named))
            guard let workshop = spec.workshop else {
                let report = ValidationReport([spec])
                Terminal.standardError.write(TextReporter(colored: ColorChoice.auto.resolve(for: STDERR_FILENO)).render(report))
                throw ExitCode(ExitStatus.problemsFound)
            }
            if !spec.diagnostics.isEmpty {
                // Warnings do not stop a bundle, but the author should still see them.
                let report = ValidationReport([spec])
                Terminal.standardError.write(TextReporter(colored: ColorChoice.auto.resolve(for: STDERR_FILENO)).render(report))
            }
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

/// Turns a path argument into one spec, the way every single-workshop command does.
enum SpecPath {
    static func loadOne(_ path: String, plan: Plan?) throws -> LoadedSpec {
        switch SpecDiscovery.find(in: [path]) {
        case .failure(.notFound):
            throw CommandFailure("'\(path)' does not exist; give a workshop directory or its workshop.yaml").exit()
        case .success(let files):
            guard let file = files.first else {
                throw CommandFailure("no workshop.yaml or workshop.yml found under '\(path)'").exit()
            }
            guard files.count == 1 else {
                throw CommandFailure("'\(path)' holds \(files.count) workshops; name one of them, such as '\(file)'").exit()
            }
            return SpecLoader(plan: plan).load(path: file)
        }
    }
}
