import ArgumentParser
import Foundation
import Importers
import WorkshopSpec

extension Nalabo {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write a nalabo workshop from one made for another platform.",
            subcommands: [Killercoda.self, Instruqt.self])

        /// What every importer takes besides its source.
        struct Options: ParsableArguments {
            @Option(name: .shortAndLong, help: "The workshop directory to write; it must not exist or be empty (default: ./SLUG).")
            var output: String?
            @Option(help: "A source image (or Killercoda image id, or Instruqt machine name) and the container image for it (repeatable), such as ubuntu=debian:bookworm-slim.")
            var image: [String] = []
            @Option(help: "The workshop's slug; default the source's.") var slug: String?

            /// The `--image` pairs, with `--slug` checked too.
            func images() throws -> ImageMapping {
                guard let overrides = ImageMapping.parse(image) else {
                    throw CommandFailure("--image takes ID=IMAGE, such as ubuntu=debian:bookworm-slim").exit()
                }
                if let slug, slug.isEmpty || ImportText.label(slug) != slug {
                    throw CommandFailure("--slug '\(slug)' is not a DNS label (lowercase letters, digits and hyphens)").exit()
                }
                return ImageMapping(overrides: overrides)
            }

            /// Runs an importer, writes what it made (into --output, else ./SLUG, which must not exist or be
            /// empty), prints its report and the written workshop's diagnostics, and exits 1 when it does not
            /// validate.
            func write(_ importer: () throws -> ImportedWorkshop) throws {
                let imported: ImportedWorkshop
                do { imported = try importer() } catch let failure as ImportFailure { throw CommandFailure(failure.description).exit() }
                let directory = output ?? imported.slug
                let manager = FileManager.default
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
                    guard isDirectory.boolValue, let existing = try? manager.contentsOfDirectory(atPath: directory) else {
                        throw CommandFailure("\(directory) exists and is not a directory nalabo can read; give another --output").exit()
                    }
                    guard existing.isEmpty else { throw CommandFailure("\(directory) is not empty; give another --output").exit() }
                }
                for (path, data) in imported.files.sorted(by: { $0.key < $1.key }) {
                    let target = URL(fileURLWithPath: directory).appendingPathComponent(path)
                    do {
                        try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                        try data.write(to: target)
                    } catch {
                        throw CommandFailure("cannot write \(target.path): \(describe(error))").exit()
                    }
                }
                for note in imported.report.notes { Terminal.standardOutput.write("\(note)\n".terminalSafe()) }
                let spec = SpecLoader(plan: nil).load(path: directory + "/workshop.yaml")
                if !spec.diagnostics.isEmpty {
                    Terminal.standardOutput.write(TextReporter(colored: false).render(ValidationReport([spec])))
                }
                Terminal.standardOutput.write("wrote \(directory)/workshop.yaml (\(imported.files.count) files; IMPORTED.md lists what to finish by hand)\n")
                if spec.workshop == nil { throw ExitCode(ExitStatus.problemsFound) }
            }
        }

        struct Killercoda: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "killercoda",
                abstract: "Write a nalabo workshop from a Killercoda scenario (a directory with index.json).",
                discussion: """
                    Steps stay steps; background scripts become step setups; a verify script becomes the step's \
                    challenge, and the {{exec}} blocks of a solution section its solve. Everything that could not be \
                    carried over is printed and written to IMPORTED.md. Exit code 0 when the written workshop \
                    validates (warnings allowed), 1 when it does not, 2 when the scenario cannot be read or OUTPUT \
                    is not empty.
                    """)

            @Argument(help: "The scenario directory (holding index.json).", completion: .directory) var scenario: String
            @OptionGroup var options: Options

            func run() throws {
                let importer = KillercodaImporter(images: try options.images(), slug: options.slug)
                try options.write { try importer.importScenario(at: scenario) }
            }
        }

        struct Instruqt: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "instruqt",
                abstract: "Write a nalabo workshop from an Instruqt track (a directory with track.yml and config.yml).",
                discussion: """
                    Each challenge folder becomes a step with one challenge, its setup-, check-, solve- and cleanup-HOST \
                    scripts the challenge's; config.yml's containers become containers (virtual machines too, with a \
                    stand-in image); track_scripts/setup-HOST the environment's setup; quizzes answer-file challenges. \
                    Everything that could not be carried over is printed and written to IMPORTED.md. Exit codes as for \
                    `import killercoda`.
                    """)

            @Argument(help: "The track directory (holding track.yml and config.yml).", completion: .directory) var track: String
            @OptionGroup var options: Options

            func run() throws {
                let importer = InstruqtImporter(images: try options.images(), slug: options.slug)
                try options.write { try importer.importTrack(at: track) }
            }
        }
    }
}
