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
        let output = try await exec(ExecRequest(container: containerID, command: command, user: script.user, workdir: script.workdir,
                                                env: script.env.map { "\($0.name)=\($0.value)" },
                                                timeLimit: .seconds(seconds) + .milliseconds(700), outputLimit: outputLimit),
                                    container: container)
        if output.exitCode == nil { await sweepAfterDeadline([id], in: containerID) }
        return outcome(id: id, exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr, duration: output.duration)
    }

    /// The most script text one batched exec carries.
    static let batchArgumentBytes = 512 * 1024

    /// One script of a batch.
    public struct BatchItem: Sendable {
        public var script: Script
        public var sweep: Bool
        public init(script: Script, sweep: Bool) {
            self.script = script
            self.sweep = sweep
        }
    }

    /// Runs scripts at once, in one exec when they can share it (same user, directory and environment): the
    /// container pays for one exec rather than one per script. Results are in the order given.
    public func runBatch(_ items: [BatchItem], in containerID: String, container: Container) async throws -> [ScriptOutcome] {
        // Scripts that differ in what the exec sets up cannot share one, and one exec's arguments must stay well
        // below the kernel's limit for a command line (ARG_MAX, 2 MiB with the usual 8 MiB stack).
        let settings = Dictionary(grouping: items.indices) { index in
            let script = items[index].script
            return [script.user ?? "", script.workdir ?? "", script.env.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{0}")]
        }
        var groups: [[Int]] = []
        for indices in settings.values {
            var current: [Int] = []
            var size = 0
            for index in indices {
                let length = items[index].script.source.text.utf8.count
                if !current.isEmpty && size + length > Self.batchArgumentBytes {
                    groups.append(current)
                    current = []
                    size = 0
                }
                current.append(index)
                size += length
            }
            if !current.isEmpty { groups.append(current) }
        }
        var results = [ScriptOutcome?](repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: [(Int, ScriptOutcome)].self) { group in
            for indices in groups {
                group.addTask {
                    if indices.count == 1, let index = indices.first {
                        let item = items[index]
                        return [(index, try await run(item.script, in: containerID, container: container, sweep: item.sweep))]
                    }
                    return Array(zip(indices, try await runTogether(indices.map { items[$0] }, in: containerID, container: container)))
                }
            }
            for try await pairs in group {
                for (index, outcome) in pairs { results[index] = outcome }
            }
        }
        return results.compactMap { $0 }
    }

    private func runTogether(_ items: [BatchItem], in containerID: String, container: Container) async throws -> [ScriptOutcome] {
        let ids = items.map { _ in UUID().uuidString.lowercased() }
        let seconds = items.map { max(1, $0.script.timeout.seconds) }
        let runs = zip(items, zip(ids, seconds)).map { item, run in
            let body = item.script.source.text
            return ScriptWrapper.arguments(id: run.0, timeoutSeconds: run.1, sweep: item.sweep, text: body,
                                           interpreter: ScriptWrapper.interpreter(for: body, shell: container.shell))
        }
        let first = items[0].script
        let output = try await exec(ExecRequest(
            container: containerID, command: ScriptWrapper.batchCommand(limit: outputLimit, runs: runs),
            user: first.user, workdir: first.workdir, env: first.env.map { "\($0.name)=\($0.value)" },
            // More grace than a single run: after the last run ends the batch still sweeps it and writes all
            // results out, and a late batch would count every run in it as timed out.
            timeLimit: .seconds(seconds.max() ?? 1) + .seconds(3),
            outputLimit: items.count * (2 * outputLimit + 128) + 1024), container: container)
        let frames = ScriptWrapper.frames(output.stdout.bytes, limit: outputLimit)
        let duration = output.duration
        // Runs without a frame did not finish in time (sweep them from here as well), or the batch itself failed
        // (its exit status and error output then stand for each of them).
        if frames.count < items.count && output.exitCode == nil {
            await sweepAfterDeadline(Array(ids[frames.count...]), in: containerID)
        }
        return ids.indices.map { index in
            guard index < frames.count else {
                return outcome(id: ids[index], exitCode: output.exitCode.map { $0 == 0 ? 125 : $0 }, stdout: CappedOutput(limit: outputLimit),
                               stderr: output.stderr, duration: duration)
            }
            let frame = frames[index]
            return outcome(id: ids[index], exitCode: frame.status, timedOut: frame.timedOut, outOfMemory: frame.outOfMemory,
                           stdout: CappedOutput(limit: outputLimit, bytes: frame.stdout, totalBytes: frame.stdoutBytes),
                           stderr: CappedOutput(limit: outputLimit, bytes: frame.stderr, totalBytes: frame.stderrBytes),
                           duration: duration)
        }
    }

    /// The exec, with a stopped or removed container explained.
    private func exec(_ request: ExecRequest, container: Container) async throws -> ExecOutput {
        do {
            return try await engine.exec(request)
        } catch EngineError.notFound {
            throw EngineError.notFound("container \(container.name) (\(request.container.prefix(12))) — removed outside nalabo? `nalabo down` and `nalabo up` start over")
        } catch EngineError.api(409, let message, _) {
            throw EngineError.api(status: 409, message: "\(message); container \(container.name) has stopped (a restarted engine stops every container). `nalabo status` shows its state; `nalabo down` and `nalabo up` start over",
                                  request: "running a script in \(container.name)")
        }
    }

    /// Kills what is left of runs whose results did not arrive in time (no `sleep` in the image, a loaded
    /// machine). The engine finishes an exec whose client stopped waiting, so a short wait keeps the report
    /// within the timeout plus one second without cutting the sweep short.
    private func sweepAfterDeadline(_ ids: [String], in containerID: String) async {
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = try? await engine.exec(ExecRequest(container: containerID, command: ScriptWrapper.sweepCommand(id: id),
                                                           timeLimit: .milliseconds(250)))
                }
            }
        }
    }

    /// An outcome from a run's exit code and output, with the wrapper's markers read and removed.
    private func outcome(id: String, exitCode: Int?, timedOut: Bool = false, outOfMemory: Bool = false,
                         stdout: CappedOutput, stderr: CappedOutput, duration: Duration) -> ScriptOutcome {
        var stderr = stderr
        let timeoutMarker = "nalabo:timeout:\(id)"
        let oomMarker = "nalabo:oom:\(id)"
        var timedOut = timedOut || exitCode == nil
        var outOfMemory = outOfMemory
        // The markers come last; after a flood of output they are only in the kept tail.
        let text = stderr.text + (stderr.isTruncated ? String(decoding: stderr.tail, as: UTF8.self) : "")
        if text.contains(timeoutMarker) || text.contains(oomMarker) {
            timedOut = timedOut || text.contains(timeoutMarker)
            outOfMemory = outOfMemory || text.contains(oomMarker)
            let kept = stderr.text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0 != Substring(timeoutMarker) && $0 != Substring(oomMarker) }
                .joined(separator: "\n")
            stderr = CappedOutput(limit: outputLimit, bytes: Array(kept.utf8), totalBytes: kept.utf8.count + stderr.droppedBytes)
        }
        return ScriptOutcome(exitCode: timedOut ? nil : exitCode, timedOut: timedOut, outOfMemory: outOfMemory,
                             stdout: stdout, stderr: stderr, duration: duration)
    }
}
