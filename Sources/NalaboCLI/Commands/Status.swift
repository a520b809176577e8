import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension Nalabo {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show a session's steps, challenges, score, time left, containers and the URLs of its ports.")

        @OptionGroup var selection: SessionOptions
        @Option(help: "Output format: text or json.") var format: TableFormat = .text
        @Option(help: "Colour: auto, always or never.") var color: ColorChoice = .auto
        @Flag(help: "Keep the session's published ports reachable on 127.0.0.1 until interrupted (needed on Kubernetes, where they are forwarded through the API server).")
        var forward = false

        struct ContainerStatus: Codable {
            var name: String
            var state: String
            var health: MemberHealth?
            var ports: [LocalSession.PortInfo]
        }

        struct Report: Codable {
            var session: LocalSession
            var score: Int
            var maxScore: Int
            var secondsLeft: Int
            var containers: [ContainerStatus]
        }

        func run() async throws {
            let session = try selection.open()
            let (record, workshop) = (session.record, session.workshop)
            let backend = try await session.backend()
            // An unreachable backend is an error (exit 3), not every container "missing".
            let health = try await backendCall { () -> [String: MemberHealth] in
                guard let handle = record.handle else { return [:] }
                return try await backend.health(handle)
            }
            let show = { @Sendable (ports: [String: [PublishedPort]]?) in
                let containers = record.containers.map { container in
                    ContainerStatus(name: container.name, state: health[container.name]?.state ?? "missing", health: health[container.name],
                                    ports: ports.map { $0[container.name] ?? [] } ?? container.ports)
                }
                let report = Report(session: record, score: record.progress.values.reduce(0) { $0 + $1.points },
                                    maxScore: workshop.challenges.reduce(0) { $0 + $1.maxPoints },
                                    secondsLeft: max(0, Int(record.expiresAt.timeIntervalSinceNow)), containers: containers)
                if format == .json {
                    Terminal.standardOutput.write(JSONLines.encode(report) + "\n")
                } else {
                    Terminal.standardOutput.write(render(report, workshop: workshop))
                }
            }
            guard forward, let handle = record.handle else { return show(nil) }
            // Until Ctrl-C (or the session's expiry): the ports stay reachable at the addresses printed.
            let until = record.expiresAt
            do {
                try await Interrupts.cancelling {
                    try await backendCall {
                        try await backend.withPublishedPorts(handle) { ports in
                            show(ports)
                            if format != .json { Terminal.standardError.write("forwarding the ports above until Ctrl-C\n") }
                            try await Task.sleep(for: .seconds(max(1, until.timeIntervalSinceNow)))
                        }
                    }
                }
            } catch is CancellationError {
                // Ctrl-C: the forward is over, as asked.
            }
        }

        private func render(_ report: Report, workshop: Workshop) -> String {
            let colored = color.resolve()
            func paint(_ code: String, _ text: String) -> String { colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
            let record = report.session
            var text = "\(workshop.metadata.title.terminalSafe(singleLine: true)) (\(record.workshop.slug)@\(record.workshop.version)) — session \(record.id)\n"
            text += record.isExpired() ? paint("31", "expired \(SessionText.relative(record.expiresAt))") + "\n"
                : "time left: \(SessionText.relative(record.expiresAt).dropFirst(3)) (expires \(record.expiresAt.formatted(date: .omitted, time: .shortened)))\n"
            text += "score: \(report.score)/\(report.maxScore)\n\n"
            let current = SessionLifecycle.currentStep(record, workshop: workshop)
            for (index, step) in workshop.steps.enumerated() {
                let marker = index == current ? "▶" : " "
                text += "\(marker) \(index + 1). \(step.title.terminalSafe(singleLine: true))\(index == current ? paint("1", "  ← you are here") : "")\n"
                for challenge in step.challenges {
                    let entry = record.progress[challenge.id]
                    let locked = !SessionLifecycle.hasStarted(challenge.id, in: record)
                    let state: String
                    if entry?.skipped == true { state = paint("33", "↷ solved with nalabo solve") }
                    else if entry?.isComplete == true { state = paint("32", "✓ done (\(entry?.points ?? 0)/\(challenge.maxPoints))") }
                    else if locked { state = paint("2", "🔒 locked") }
                    else if let attempts = entry?.attempts, attempts > 0 { state = paint("31", "✗ \(attempts) attempt\(attempts == 1 ? "" : "s")") }
                    else { state = "· open" }
                    text += "     \(challenge.id): \(state)\n"
                }
            }
            text += "\ncontainers:\n"
            for container in report.containers {
                var line = "  \(container.name): \(container.state)"
                let limit = workshop.container(container.name)?.resources.memory.description ?? "?"
                if container.health?.killedForMemory == true {
                    line += paint("31", " — it was stopped because it ran out of memory (limit \(limit))")
                } else if let kills = container.health?.outOfMemoryKills, kills > 0 {
                    line += paint("31", " — \(kills == 1 ? "a process was" : "\(kills) processes were") killed because the container ran out of memory (limit \(limit))")
                }
                text += line + "\n"
                for port in container.ports { text += "    port \(port.port) → \(port.url)\n" }
            }
            return text
        }
    }
}
