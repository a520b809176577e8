import WorkshopSpec
/// What `up` (and `test`) report while they work, for progress display.
public enum SessionEvent: Sendable {
    case checkingImage(String)
    case pulling(PullEvent)
    case pulled(String)
    /// An object the session needs: its kind (`network`, `namespace`) and name.
    case creating(kind: String, name: String)
    case startingMember(String)
    case servingPorts(Int)
    case runningSetup(script: String, container: String)
    /// `files:` being copied into a container (its own when it starts, a step's or challenge's later).
    case copyingFiles(count: Int, container: String)
    case setupFinished(script: String, seconds: Double)
    case ready(LocalSession)
    case removing(String)
    /// An isolation promise the engine could not keep for this session, and what the operator does about it.
    case notEnforced(Protection, reason: String)
    /// Something worth knowing about how the backend runs the session (user namespaces in use, say).
    case note(String)
}

/// The protections of a session that depend on the engine's host, so `up` can say which one did not hold.
public enum Protection: String, Sendable, CaseIterable {
    /// Learner containers cannot reach the host's own services.
    case hostServices = "host services"
    /// A container can write only `resources.disk` to its filesystem.
    case disk = "disk limit"
    /// The session ends at its expiry whatever the learner does.
    case expiry = "expiry"
    /// A container can run only `resources.pids` processes.
    case processes = "process limit"
    /// Members reach each other by name.
    case names = "member names"

    /// How the protection reads in a warning.
    public var subject: String {
        switch self {
        case .hostServices: "the host's own services are reachable from this session's containers"
        case .disk: "the disk limit is not enforced"
        case .expiry: "the session's expiry depends on a process the learner can stop"
        case .processes: "the process limit is not enforced per container"
        case .names: "members cannot reach each other by name"
        }
    }
}

/// `files:` could not be copied into a container; the lifecycle step that copies them is tried again next time.
public struct FileCopyFailure: Error, Sendable, CustomStringConvertible {
    public var container: String
    public var targets: [String]
    /// The backend's words for what went wrong.
    public var reason: String

    public var description: String {
        "copying \(targets.joined(separator: ", ")) into container \(container) failed: \(reason)"
    }
}

/// Setup did not succeed; carries the script's output so the learner or instructor sees why.
public struct SetupFailure: Error, Sendable, CustomStringConvertible {
    public var script: String
    public var container: String
    public var outcome: ScriptOutcome
    /// The session, when it was kept (`--keep-on-failure`).
    public var keptSession: String?
    /// Whether it failed while the session was being started (which then removes it, unless kept), rather than
    /// later, as the learner moved on (the session then goes on).
    public var whileStarting = false

    public var description: String {
        var text = "setup failed in container \(container): \(script) "
        if outcome.timedOut {
            text += "timed out"
        } else if outcome.outOfMemory {
            text += "ran out of memory (exit status \(outcome.exitCode.map(String.init) ?? "none"))"
        } else {
            text += "exited with status \(outcome.exitCode.map(String.init) ?? "none")"
        }
        // The script's output is the container's: nothing in it may drive the terminal that prints this.
        let output = (outcome.stdout.text + outcome.stderr.text).terminalSafe().trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty {
            text += "\nits output:\n" + output.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n")
        }
        if let keptSession {
            text += "\nthe session \(keptSession) was kept for inspection: `nalabo shell --session \(keptSession)`, then `nalabo down --session \(keptSession)`"
        } else if whileStarting {
            text += "\neverything the session created was removed; `--keep-on-failure` keeps it for inspection"
        } else {
            text += "\nthe session goes on; the next `nalabo check`, `solve` or `next` runs the script again"
        }
        return text
    }
}
