import ArgumentParser
import Foundation
import WorkshopSpec

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

    /// The workshop at `path` when it has no errors. Its diagnostics, warnings included (unless `quiet`), go to
    /// standard error as `nalabo validate` prints them; errors end the command with exit code 1.
    static func loadValid(_ path: String, plan: Plan?, quiet: Bool = false) throws -> Workshop {
        let spec = try loadOne(path, plan: plan)
        if !spec.diagnostics.isEmpty && !(quiet && spec.workshop != nil) {
            let reporter = TextReporter(colored: ColorChoice.auto.resolve(for: STDERR_FILENO))
            Terminal.standardError.write(reporter.render(ValidationReport([spec])))
        }
        guard let workshop = spec.workshop else { throw ExitCode(ExitStatus.problemsFound) }
        return workshop
    }
}
