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

/// Runs spec scripts in a session's members through ``ScriptWrapper``: timeouts enforced in the container
/// and, one second later, by the client too; output capped per stream; leftovers of checks killed. The same
/// on every backend: it only asks the backend to exec.
public struct ScriptRunner: Sendable {
    public let backend: any SessionBackend
    public let session: SessionHandle
    public var outputLimit = 64 * 1024

    public init(backend: any SessionBackend, session: SessionHandle) {
        self.backend = backend
        self.session = session
    }

    /// The runner of a provisioned session's record.
    public init(backend: any SessionBackend, record: LocalSession) throws {
        guard let handle = record.handle else {
            throw BackendError(.notFound, "session \(record.id) was never fully started (status \(record.status.rawValue)); `nalabo down --session \(record.id)` removes it")
        }
        self.init(backend: backend, session: handle)
    }

    /// Runs `script` in the member `container`.
    public func run(_ script: Script, text: String? = nil, container: Container,
                    sweep: Bool, timeout: SpecDuration? = nil) async throws -> ScriptOutcome {
        let seconds = max(1, (timeout ?? script.timeout).seconds)
        let id = UUID().uuidString.lowercased()
        let body = text ?? script.source.text
        let command = ScriptWrapper.command(id: id, timeoutSeconds: seconds, sweep: sweep, text: body,
                                            interpreter: ScriptWrapper.interpreter(for: body, shell: container.shell))
        let output = try await sweepingOnCancel([id], in: container.name) {
            try await backend.exec(MemberExec(member: container.name, command: command, user: script.user, workdir: script.workdir,
                                              env: script.env.map { "\($0.name)=\($0.value)" },
                                              timeLimit: .seconds(seconds) + .milliseconds(700), outputLimit: outputLimit),
                                   in: session)
        }
        if output.exitCode == nil { await sweepAfterDeadline([id], in: container.name) }
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
    public func runBatch(_ items: [BatchItem], container: Container) async throws -> [ScriptOutcome] {
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
                        return [(index, try await run(item.script, container: container, sweep: item.sweep))]
                    }
                    return Array(zip(indices, try await runTogether(indices.map { items[$0] }, container: container)))
                }
            }
            for try await pairs in group {
                for (index, outcome) in pairs { results[index] = outcome }
            }
        }
        return results.compactMap { $0 }
    }

    private func runTogether(_ items: [BatchItem], container: Container) async throws -> [ScriptOutcome] {
        let ids = items.map { _ in UUID().uuidString.lowercased() }
        let seconds = items.map { max(1, $0.script.timeout.seconds) }
        let runs = zip(items, zip(ids, seconds)).map { item, run in
            let body = item.script.source.text
            return ScriptWrapper.arguments(id: run.0, timeoutSeconds: run.1, sweep: item.sweep, text: body,
                                           interpreter: ScriptWrapper.interpreter(for: body, shell: container.shell))
        }
        let first = items[0].script
        let output = try await sweepingOnCancel(ids, in: container.name) { try await backend.exec(MemberExec(
            member: container.name, command: ScriptWrapper.batchCommand(limit: outputLimit, runs: runs),
            user: first.user, workdir: first.workdir, env: first.env.map { "\($0.name)=\($0.value)" },
            // More grace than a single run: after the last run ends the batch still sweeps it and writes all
            // results out, and a late batch would count every run in it as timed out.
            timeLimit: .seconds(seconds.max() ?? 1) + .seconds(3),
            outputLimit: items.count * (2 * outputLimit + 128) + 1024), in: session) }
        let frames = ScriptWrapper.frames(output.stdout.bytes, limit: outputLimit)
        let duration = output.duration
        // Runs without a frame did not finish in time (sweep them from here as well), or the batch itself failed
        // (its exit status and error output then stand for each of them).
        if frames.count < items.count && output.exitCode == nil {
            await sweepAfterDeadline(Array(ids[frames.count...]), in: container.name)
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

    /// Runs an exec; when the caller is cancelled (Ctrl-C, an interrupted `up`), the runs' processes in the
    /// container are killed too, so cancellation reaches the script itself rather than leaving it running.
    private func sweepingOnCancel(_ ids: [String], in member: String, _ body: () async throws -> ExecOutput) async throws -> ExecOutput {
        do {
            return try await body()
        } catch {
            if Task.isCancelled || error is CancellationError {
                await Task.detached { await sweepAfterDeadline(ids, in: member) }.value
            }
            throw error
        }
    }

    /// Kills what is left of runs whose results did not arrive in time (no `sleep` in the image, a loaded
    /// machine). The engine finishes an exec whose client stopped waiting, so a short wait keeps the report
    /// within the timeout plus one second without cutting the sweep short.
    private func sweepAfterDeadline(_ ids: [String], in member: String) async {
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = try? await backend.exec(MemberExec(member: member, command: ScriptWrapper.sweepCommand(id: id),
                                                           timeLimit: .milliseconds(250)), in: session)
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
