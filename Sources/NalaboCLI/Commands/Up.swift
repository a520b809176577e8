import ArgumentParser
import Catalogue
import Foundation
import LabService
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Start a learner session: pull images, create the containers, run setup, show the first step.",
            discussion: """
                TARGET is a workshop directory (or its workshop.yaml), or a published workshop [OWNER/]SLUG[@VERSION] from \
                the catalogue, whose progress is then recorded there too. Returns as soon as the session is ready; \
                `nalabo down` removes it. A local workshop is checked like `nalabo validate`; a plan is enforced only \
                with --plan. With --format json, progress and the ready session are JSON lines on standard output.
                """)

        @Argument(help: "A workshop directory or workshop.yaml, or [OWNER/]SLUG[@VERSION] from the catalogue.", completion: .directory)
        var target: String
        @Option(help: "Also enforce a plan's limits (free, pro, team).") var plan: String?
        @Flag(help: "Keep the session when a setup script fails, to inspect it.") var keepOnFailure = false
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @Flag(name: .shortAndLong, help: "Print only the session id.") var quiet = false
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto
        @Option(help: "A file of NAME=value lines with the values of the workshop's secrets (else NALABO_SECRET_NAME).") var secrets: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup(title: "Backend") var backendOptions: BackendOptions

        func run() async throws {
            let chosenPlan = try plan.map { name in
                guard let plan = Plan.named(name) else {
                    throw CommandFailure("unknown plan \(name); `nalabo plans` lists them").exit()
                }
                return plan
            }
            let resolved: LabService.Resolved
            if let address = Self.catalogueAddress(target) {
                let catalogue = try database.connect()
                resolved = try catalogueCall {
                    do { return try LabService.resolve(address, in: catalogue) } catch let damaged as LabService.DamagedBundle {
                        throw CommandFailure(damaged.description).exit()
                    }
                }
            } else {
                resolved = LabService.Resolved(workshop: try SpecPath.loadValid(target, plan: chosenPlan, quiet: quiet),
                                               source: URL(fileURLWithPath: target).standardizedFileURL.path)
            }
            let workshop = resolved.workshop

            let json = format == .json
            let display = ProgressDisplay(mode: ProgressDisplay.mode(json: json, quiet: quiet))
            if !json && !quiet {
                Terminal.standardError.write("nalabo: starting \(workshop.metadata.title.terminalSafe(singleLine: true)) (\(workshop.metadata.slug)@\(workshop.metadata.version))\n")
            }
            let service = LabService(backend: try await backendOptions.connect(), store: SessionStore.standard(), catalogue: database.opener)
            var options = SessionProvisioner.Options(source: resolved.source)
            options.keepOnFailure = keepOnFailure
            options.secrets.file = secrets
            let frozenOptions = options
            let record: LocalSession
            do {
                record = try await Interrupts.cancelling {
                    try await service.start(resolved, options: frozenOptions) { display.handle($0) }
                }
            } catch let error as CatalogueError {
                // The database refused the session (the owner's current plan) before anything ran.
                throw CommandFailure(error.description, status: ExitStatus.status(for: error)).exit()
            } catch {
                throw try await upFailure(error)
            }
            try print(record: record, workshop: workshop, json: json)
        }

        /// What a failed `up` exits with.
        private func upFailure(_ error: any Error) async throws -> any Error {
            do {
                throw error
            } catch is CancellationError {
                throw CommandFailure("interrupted; everything the session had created was removed", status: 130).exit()
            } catch let failure as SetupFailure {
                throw CommandFailure(failure.description, status: ExitStatus.problemsFound).exit()
            } catch {
                try await backendCall { () -> Void in throw error }
                return error
            }
        }

        /// TARGET as a catalogue address: it parses as one and names nothing on disk. A mistyped path whose
        /// first directory exists (`examples/linux-basic`) stays a path, so the error says it does not exist
        /// rather than asking for a database.
        static func catalogueAddress(_ target: String) -> WorkshopAddress? {
            guard !FileManager.default.fileExists(atPath: target), let address = WorkshopAddress(target) else { return nil }
            if let first = target.split(separator: "/").first, target.contains("/") {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: String(first), isDirectory: &isDirectory), isDirectory.boolValue { return nil }
            }
            return address
        }

        private func print(record: LocalSession, workshop: Workshop, json: Bool) throws {
            if json {
                Terminal.standardOutput.write(#"{"event":"ready","session":"# + JSONLines.encode(record) + "}\n")
                return
            }
            if quiet {
                Terminal.standardOutput.write(record.id + "\n")
                return
            }
            let colored = color.resolve()
            var text = "\nSession \(record.id) is ready (expires \(SessionText.relative(record.expiresAt))).\n"
            let ports = SessionText.ports(record)
            if !ports.isEmpty { text += "Ports: " + ports.joined(separator: ", ") + "\n" }
            if !workshop.steps.isEmpty { text += "\n" + SessionText.step(workshop, index: 0, color: colored) + "\n" }
            text += SessionText.nextSteps(record, workshop: workshop) + "\n"
            Terminal.standardOutput.write(text)
        }
    }
}
