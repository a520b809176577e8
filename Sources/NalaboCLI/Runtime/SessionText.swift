import Foundation
import Markdown
import Runtime
import WorkshopSpec

/// Shared wording of the session commands.
enum SessionText {
    /// "in 59m", "2m ago".
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded())
        let magnitude = abs(seconds)
        let text = magnitude >= 3600 ? "\(magnitude / 3600)h\(magnitude % 3600 / 60 > 0 ? "\(magnitude % 3600 / 60)m" : "")"
            : magnitude >= 60 ? "\(magnitude / 60)m" : "\(magnitude)s"
        return seconds >= 0 ? "in \(text)" : "\(text) ago"
    }


    static func step(_ workshop: Workshop, index: Int, color: Bool) -> String {
        let step = workshop.steps[index]
        let renderer = MarkdownTerminal(color: color)
        var text = renderer.render("## Step \(index + 1)/\(workshop.steps.count): \(step.title)") + "\n\n"
        // Runnable blocks are numbered through the step and its challenges, as `nalabo run N` counts them.
        var runnable = 1
        text += renderer.render(step.content.text, firstRunnable: runnable) + "\n"
        runnable += RunnableBlocks.find(in: step.content.text).count
        for challenge in step.challenges {
            text += "\n" + renderer.render("### Challenge \(challenge.id): \(challenge.title)") + "\n"
            if !challenge.needs.isEmpty { text += "(after: \(challenge.needs.map(\.value).joined(separator: ", ")))\n" }
            if let content = challenge.content {
                text += "\n" + renderer.render(content.text, firstRunnable: runnable) + "\n"
                runnable += RunnableBlocks.find(in: content.text).count
            }
        }
        return text
    }

    /// The runnable blocks of a step (`nalabo run N`): its instructions', then its challenges', in order.
    static func runnableBlocks(of step: Step) -> [RunnableBlock] {
        RunnableBlocks.find(in: step.content.text) + step.challenges.flatMap { RunnableBlocks.find(in: $0.content?.text ?? "") }
    }

    static func ports(_ record: LocalSession) -> [String] {
        record.containers.flatMap { container in
            container.ports.map { "\(container.name):\($0.port) → \($0.url)" }
        }
    }

    static func nextSteps(_ record: LocalSession, workshop: Workshop) -> String {
        let session = record.id
        let first = workshop.environment.containers.first?.name ?? ""
        return """
            Next:
              nalabo shell           open a shell in \(first)\(workshop.environment.containers.count > 1 ? " (or: nalabo shell CONTAINER)" : "")
              nalabo instructions    show the current step again (nalabo instructions STEP for another)
              nalabo check           grade your work (a step is left once its challenges are done)
              nalabo next            move on from a step without challenges
              nalabo status          progress, score, time left\(record.containers.contains { !$0.ports.isEmpty } ? " and ports" : "")
              nalabo down            remove session \(session) when you are done
            """
    }
}
