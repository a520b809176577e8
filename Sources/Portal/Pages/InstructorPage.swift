import Catalogue
import Foundation
import Markdown
import Runtime
import WorkshopSpec

/// The instructor's pages: live sessions, and statistics as server-rendered SVG (no script needed to read it).
enum InstructorPage {
    static func body(sessions: [LiveSession], workshops: [WorkshopListing], steps: [String: String]) -> String {
        let e = MarkdownHTML.escape
        var html = "<h1>Your workshops' sessions</h1><section class=\"card wide\">"
        if sessions.isEmpty {
            html += "<p>No session of your workshops is running.</p>"
        } else {
            html += "<table class=\"sessions\"><thead><tr><th>Learner</th><th>Workshop</th><th>Step</th><th>Score</th>"
                + "<th>Time left</th><th>Last activity</th><th></th></tr></thead><tbody>"
            for session in sessions {
                let step = steps[session.id] ?? "—"
                html += """
                <tr data-session="\(e(session.id))"><td>\(e(session.learner))</td><td><code>\(e(session.workshop))</code></td>
                <td>\(e(step))</td><td class="score">\(session.score)</td>
                <td><span class="countdown" data-until="\(e(session.expiresAt))">\(e(session.expiresAt))</span></td>
                <td>\(e(session.lastActivity ?? "never"))</td>
                <td><button type="button" class="danger" data-action="stop" data-session="\(e(session.id))">End</button></td></tr>
                """
            }
            html += "</tbody></table>"
        }
        html += "</section><section class=\"card\"><h2>Statistics</h2><ul>" + workshops.map {
            "<li><a href=\"/instructor/stats/\(e($0.owner))/\(e($0.slug))\">\(e($0.owner))/\(e($0.slug))</a> — \(e($0.title))</li>"
        }.joined() + "</ul></section>"
        return html
    }

    static func statistics(_ stats: WorkshopStats) -> String {
        let e = MarkdownHTML.escape
        var html = "<h1>Statistics of <code>\(e(stats.address.description))</code></h1><section class=\"card wide\">"
        html += "<p>\(stats.sessionsStarted) sessions started, \(stats.sessionsCompleted) completed, \(stats.sessionsVerified) graded by the portal.</p>"
        if stats.challenges.isEmpty { return html + "<p>No attempts yet.</p></section>" }
        html += chart(stats.challenges)
        html += "<table><thead><tr><th>Challenge</th><th>Grading</th><th>Sessions</th><th>Passed</th><th>Pass rate</th><th>Attempts</th>"
            + "<th>Median time to pass</th></tr></thead><tbody>"
        for challenge in stats.challenges {
            html += "<tr><td><code>\(e(challenge.id))</code></td><td>\(e(challenge.grading))</td><td>\(challenge.sessions)</td>"
                + "<td>\(challenge.passed)</td><td>\(Int((challenge.passRate * 100).rounded()))%</td><td>\(challenge.attempts)</td>"
                + "<td>\(challenge.medianSecondsToPass.map { minutes($0) } ?? "—")</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// One bar per challenge and grading: its pass rate, labelled with attempts and the median time to pass.
    static func chart(_ challenges: [WorkshopStats.Challenge]) -> String {
        let e = MarkdownHTML.escape
        let (rowHeight, labelWidth, barWidth) = (28, 220, 360)
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"Pass rate per challenge\" xmlns=\"http://www.w3.org/2000/svg\" "
            + "width=\"\(labelWidth + barWidth + 200)\" height=\(quote(rowHeight * challenges.count + 10))>"
        for (index, challenge) in challenges.enumerated() {
            let y = index * rowHeight + 5
            let width = Int((challenge.passRate * Double(barWidth)).rounded())
            svg += "<text x=\"0\" y=\"\(y + 18)\" class=\"label\">\(e(challenge.id)) (\(e(challenge.grading)))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(barWidth)\" height=\"18\" class=\"track\"/>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(width)\" height=\"18\" class=\"bar \(e(challenge.grading))\"/>"
            let note = "\(Int((challenge.passRate * 100).rounded()))% · \(challenge.attempts) attempts"
                + (challenge.medianSecondsToPass.map { " · median \(minutes($0))" } ?? "")
            svg += "<text x=\"\(labelWidth + barWidth + 8)\" y=\"\(y + 18)\" class=\"note\">\(e(note))</text>"
        }
        return svg + "</svg>"
    }

    private static func quote(_ value: Int) -> String { "\"\(value)\"" }

    static func minutes(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds.rounded())) s" : "\(Int((seconds / 60).rounded())) min"
    }
}
