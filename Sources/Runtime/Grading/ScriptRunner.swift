import Foundation
import WorkshopSpec

/// What running a script produced.
public struct ScriptOutcome: Sendable {
    /// The script's exit status; nil when it timed out.
    public var exitCode: Int?
    public var timedOut: Bool
    /// A process of the container was killed for exceeding the memory limit while the script ran.
    public var outOfMemory: Bool
    public var stdout: CappedOutput
    public var stderr: CappedOutput
    public var duration: Duration

    public var succeeded: Bool { exitCode == 0 && !timedOut }
}

/// Runs spec scripts in a session's containers through ``ScriptWrapper``: timeouts enforced in the container
/// and, one second later, by the client too; output capped per stream; leftovers of checks killed.
public struct ScriptRunner: Sendable {
    public let engine: any ContainerEngine
    public var outputLimit = 64 * 1024

    public init(engine: any ContainerEngine) { self.engine = engine }

    /// Runs `script` in the engine container `containerID` whose spec is `container`.
    public func run(_ script: Script, text: String? = nil, in containerID: String, container: Container,
                    sweep: Bool, timeout: SpecDuration? = nil) async throws -> ScriptOutcome {
        let seconds = max(1, (timeout ?? script.timeout).seconds)
        let id = UUID().uuidString.lowercased()
        let body = text ?? script.source.text
        let command = ScriptWrapper.command(id: id, timeoutSeconds: seconds, sweep: sweep, text: body,
                                            interpreter: ScriptWrapper.interpreter(for: body, shell: container.shell))
        let clock = ContinuousClock()
        let started = clock.now
        let request = ExecRequest(container: containerID, command: command, user: script.user, workdir: script.workdir,
                                  env: script.env.map { "\($0.name)=\($0.value)" },
                                  deadline: started + .seconds(seconds) + .milliseconds(700), outputLimit: outputLimit)
        let output: ExecOutput
        do {
            output = try await engine.exec(request)
        } catch EngineError.notFound {
            throw EngineError.notFound("container \(container.name) (\(containerID.prefix(12))) — removed outside nalabo? `nalabo down` and `nalabo up` start over")
        } catch EngineError.api(409, let message, _) {
            throw EngineError.api(status: 409, message: "\(message); container \(container.name) has stopped (a restarted engine stops every container). `nalabo status` shows its state; `nalabo down` and `nalabo up` start over",
                                  request: "running a script in \(container.name)")
        }
        var stderr = output.stderr
        let timeoutMarker = "nalabo:timeout:\(id)"
        let oomMarker = "nalabo:oom:\(id)"
        var timedOut = output.exitCode == nil
        var outOfMemory = false
        let text = stderr.text
        if text.contains(timeoutMarker) || text.contains(oomMarker) {
            timedOut = timedOut || text.contains(timeoutMarker)
            outOfMemory = text.contains(oomMarker)
            var cleaned = CappedOutput(limit: outputLimit)
            let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0 != Substring(timeoutMarker) && $0 != Substring(oomMarker) }
                .joined(separator: "\n")
            cleaned.append(Array(kept.utf8))
            stderr = cleaned
        }
        if output.exitCode == nil {
            // The watchdog did not end the run in time (no `sleep` in the image, a loaded machine): kill what is
            // left from the client side too. The engine finishes an exec whose client stopped waiting, so a short
            // wait keeps the report within the timeout plus one second without cutting the sweep short.
            _ = try? await engine.exec(ExecRequest(container: containerID, command: ScriptWrapper.sweepCommand(id: id),
                                                   deadline: clock.now + .milliseconds(250)))
        }
        return ScriptOutcome(exitCode: timedOut ? nil : output.exitCode, timedOut: timedOut, outOfMemory: outOfMemory,
                             stdout: output.stdout, stderr: stderr, duration: clock.now - started)
    }
}
