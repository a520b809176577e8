import Foundation
import Runtime
import Synchronization

/// How long work is shown: redrawn per-layer progress on a terminal, plain lines otherwise, JSON events for
/// machines, nothing with `--quiet`.
final class ProgressDisplay: Sendable {
    enum Mode { case terminal, lines, json, quiet }

    private struct State {
        var layers: [(id: String, text: String)] = []
        var drawnLines = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
        var announcedPulls: Set<String> = []
        var warned: Set<Protection> = []
    }

    let mode: Mode
    /// Show image pulls only (for `nalabo test`, whose own lines say what happens).
    let pullsOnly: Bool
    private let state = Mutex(State())
    private let output: Terminal.Output

    init(mode: Mode, pullsOnly: Bool = false, output: Terminal.Output = Terminal.standardError) {
        self.mode = mode
        self.pullsOnly = pullsOnly
        self.output = output
    }

    /// The mode for a command's `--format` and `--quiet`.
    static func mode(json: Bool, quiet: Bool) -> Mode {
        if json { return .json }
        if quiet { return .quiet }
        return isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" ? .terminal : .lines
    }

    func handle(_ event: SessionEvent) {
        // A protection that did not hold is said whatever the mode, once per process.
        if case .notEnforced(let protection, let reason) = event {
            guard state.withLock({ $0.warned.insert(protection).inserted }) else { return }
            if mode == .json {
                JSONLines.write(["event": "not-enforced", "protection": protection.rawValue, "reason": reason])
            } else {
                output.write("warning: \(protection.subject): \(reason)\n")
            }
            return
        }
        if pullsOnly {
            switch event {
            case .pulling, .pulled: break
            default: return
            }
        }
        switch mode {
        case .quiet: return
        case .json: emitJSON(event)
        case .terminal, .lines: emitText(event)
        }
    }

    private func emitText(_ event: SessionEvent) {
        switch event {
        case .checkingImage: return
        case .pulling(let pull): pulling(pull)
        case .pulled(let image): finishPull(); line("pulled \(image)")
        case .creating(let kind, let name): line("creating \(kind) \(name)")
        case .startingMember(let name): line("starting container \(name)")
        case .servingPorts(let count): line("serving \(count) port\(count == 1 ? "" : "s") on 127.0.0.1")
        case .runningSetup(let script, let container): line("running setup \(script) in \(container)")
        case .copyingFiles(let count, let container): line("copying \(count) file\(count == 1 ? "" : "s") into \(container)")
        case .setupFinished: return
        case .ready: return
        case .removing(let name): line("removing \(name)")
        case .notEnforced: return
        case .note(let text): line(text)
        }
    }

    private func line(_ text: String) { output.write("  " + text + "\n") }

    private func pulling(_ event: PullEvent) {
        state.withLock { state in
            if state.announcedPulls.insert(event.image).inserted {
                output.write("  pulling \(event.image)\n")
            }
            guard let layer = event.layer, mode == .terminal else {
                if mode == .lines, event.layer != nil, ["Pull complete", "Already exists"].contains(event.status) {
                    output.write("    \(event.layer ?? ""): \(event.status)\n")
                }
                return
            }
            let text = Self.describe(event)
            if let index = state.layers.firstIndex(where: { $0.id == layer }) {
                state.layers[index].text = text
            } else {
                state.layers.append((layer, text))
            }
            let now = ContinuousClock.now
            guard now - state.lastDraw > .milliseconds(100) || event.status == "Pull complete" else { return }
            state.lastDraw = now
            var frame = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A" : ""
            for layer in state.layers { frame += "\r\u{1B}[2K    \(layer.id): \(layer.text)\n" }
            state.drawnLines = state.layers.count
            output.write(frame)
        }
    }

    private func finishPull() {
        state.withLock { state in
            state.layers.removeAll()
            state.drawnLines = 0
        }
    }

    static func describe(_ event: PullEvent) -> String {
        guard let current = event.current, let total = event.total, total > 0 else { return event.status }
        let width = 24
        let filled = Int(Double(width) * Double(min(current, total)) / Double(total))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        return "\(event.status) [\(bar)] \(ByteText.format(current))/\(ByteText.format(total))"
    }

    private func emitJSON(_ event: SessionEvent) {
        var object: [String: Any]
        switch event {
        case .checkingImage(let image): object = ["event": "check-image", "image": image]
        case .pulling(let pull):
            object = ["event": "pull", "image": pull.image, "status": pull.status]
            if let layer = pull.layer { object["layer"] = layer }
            if let current = pull.current { object["current"] = current }
            if let total = pull.total { object["total"] = total }
        case .pulled(let image): object = ["event": "pulled", "image": image]
        case .creating(let kind, let name): object = ["event": "create-\(kind)", kind: name]
        case .startingMember(let name): object = ["event": "start-container", "container": name]
        case .servingPorts(let count): object = ["event": "serve-ports", "count": count]
        case .runningSetup(let script, let container): object = ["event": "setup", "script": script, "container": container]
        case .copyingFiles(let count, let container): object = ["event": "copy-files", "count": count, "container": container]
        case .setupFinished(let script, let seconds): object = ["event": "setup-finished", "script": script, "seconds": seconds]
        case .ready: return
        case .removing(let name): object = ["event": "remove", "object": name]
        case .notEnforced: return
        case .note(let text): object = ["event": "note", "message": text]
        }
        JSONLines.write(object)
    }
}

/// One JSON object per line on standard output.
enum JSONLines {
    static func write(_ object: Any) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Terminal.standardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Encodes a Codable value as one line.
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Byte sizes for people: 12.3 MB.
enum ByteText {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
