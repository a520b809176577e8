import Markdown
import Runtime
import WorkshopSpec

/// The lab page: the steps' instructions (the current one open), each challenge with its state and Check /
/// Solve, the score and time left with Extend and End, and a terminal per container.
enum LabPage {
    /// `proxied`: whether published ports are reachable through the port proxy (links to them are shown).
    static func body(_ owned: LabSessions.Owned, proxied: Bool = false) -> String {
        let e = MarkdownHTML.escape
        let (record, workshop) = (owned.record, owned.workshop)
        let current = SessionLifecycle.currentStep(record, workshop: workshop)
        let score = record.progress.values.reduce(0) { $0 + $1.points }
        let most = workshop.challenges.reduce(0) { $0 + $1.maxPoints }
        var html = """
        <div class="lab" id="lab" data-session="\(e(owned.catalogueID))" data-expires="\(e(SessionRoutes.timestamp(record.expiresAt)))" data-step="\(current + 1)">
        <section class="instructions">
        <div class="bar"><h1>\(e(workshop.metadata.title))</h1>
        <span class="score">Score <strong id="score">\(score)</strong>/\(most)</span>
        <span class="time">Time left <strong id="time-left">…</strong></span>
        \(owned.event != nil ? "<button type=\"button\" data-action=\"extend\">Extend</button>" : "")
        <button type="button" data-action="end" class="danger">End session</button></div>
        """
        for (index, step) in workshop.steps.enumerated() {
            // Steps after the current one are listed, not shown: their setups have not run yet.
            guard index <= current else {
                html += "<details class=\"step future\" id=\"step-\(e(step.id))\"><summary>\(index + 1). \(e(step.title)) <span class=\"later\">(later)</span></summary></details>"
                continue
            }
            html += "<details class=\"step\"\(index == current ? " open" : "") id=\"step-\(e(step.id))\">"
            html += "<summary>\(index + 1). \(e(step.title))</summary><div class=\"markdown\">\(MarkdownHTML.render(step.content.text))</div>"
            for challenge in step.challenges {
                let progress = record.progress[challenge.id]
                let state = progress?.skipped == true ? "skipped" : progress?.isComplete == true ? "passed" : "open"
                let unmet = SessionLifecycle.hasStarted(challenge.id, in: record) ? []
                    : challenge.needs.map(\.value).filter { record.progress[$0]?.isComplete != true }
                html += """
                <div class="challenge \(state)" data-challenge="\(e(challenge.id))">
                <h3><span class="mark">\(state == "passed" ? "✓" : state == "skipped" ? "↷" : "•")</span> \(e(challenge.title))
                <span class="points">\(progress?.points ?? 0)/\(challenge.maxPoints)</span></h3>
                \(challenge.content.map { "<div class=\"markdown\">\(MarkdownHTML.render($0.text))</div>" } ?? "")
                \(unmet.isEmpty ? "" : "<p class=\"locked\">🔒 Waits for \(unmet.map { "<code>\(e($0))</code>" }.joined(separator: ", "))</p>")
                <div class="actions"><button type="button" data-action="check">Check</button>
                \(challenge.solve != nil ? "<button type=\"button\" data-action=\"solve\" class=\"secondary\">Solve (give up)</button>" : "")</div>
                <div class="result" aria-live="polite"></div>
                </div>
                """
            }
            let done = step.challenges.allSatisfy { record.progress[$0.id]?.isComplete == true }
            if index == current && index < workshop.steps.count - 1 && done {
                html += "<div class=\"actions\"><button type=\"button\" data-action=\"next\">Next step</button></div>"
            }
            html += "</details>"
        }
        html += "</section><section class=\"terminals\"><div class=\"tabs\">"
        for (index, container) in record.containers.enumerated() {
            html += "<button type=\"button\" class=\"tab\(index == 0 ? " active" : "")\" data-terminal=\"\(e(container.name))\">\(e(container.name))</button>"
        }
        html += "</div>"
        let ports = record.containers.flatMap { container in container.ports.map { (container.name, $0.port) } }
        if proxied && !ports.isEmpty {
            html += "<p class=\"ports\">Open: " + ports.map { name, port in
                "<a href=\"/sessions/\(e(owned.catalogueID))/ports/\(port)\" target=\"_blank\" rel=\"noopener\">\(e(name)):\(port)</a>"
            }.joined(separator: " ") + "</p>"
        }
        for (index, container) in record.containers.enumerated() {
            html += "<div class=\"console\(index == 0 ? " active" : "")\" id=\"terminal-\(e(container.name))\" data-container=\"\(e(container.name))\"></div>"
        }
        return html + "</section></div>"
    }
}
