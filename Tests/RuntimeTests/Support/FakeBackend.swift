import Foundation
import Runtime
import WorkshopSpec
import Synchronization

/// An in-memory ``SessionBackend`` for unit tests of what sits above the seam (grading waves, locking,
/// keep-on-failure, the tester, prune) in milliseconds. Members are directories of a temporary folder, and an
/// exec runs the command nalabo sent (the real script wrapper) on this machine with dash, in the member's
/// directory, with `MEMBER` set to it — so scripts in fixtures read and write only there. Every real path still
/// runs against Docker in the other suites.
// Sendable by hand: its only mutable state is behind the mutex, and the temporary directory is never changed.
final class FakeBackend: SessionBackend, @unchecked Sendable {
    let root: TemporaryDirectory
    private let state = Mutex(State())

    struct State {
        var sessions: [String: BackendSession] = [:]
        var torn: [String] = []
        var execs = 0
    }

    init() throws { root = try TemporaryDirectory() }

    var locator: BackendLocator { BackendLocator(kind: .docker, address: "fake://" + root.path) }

    /// Sessions removed so far, in order.
    var tornDown: [String] { state.withLock { $0.torn } }
    var execCount: Int { state.withLock { $0.execs } }
    /// Sessions the backend holds objects for.
    var live: [String] { state.withLock { $0.sessions.keys.sorted() } }

    /// Makes a session exist on the backend without local state (a crashed `up` on this machine).
    func plant(_ metadata: SessionMetadata) {
        state.withLock { $0.sessions[metadata.session] = BackendSession(id: metadata.session, metadata: metadata, objects: ["fake \(metadata.session)"]) }
    }

    func directory(_ session: String, _ member: String) -> String { root.path + "/" + session + "/" + member }

    func info() async throws -> BackendInfo { BackendInfo(kind: .docker, product: "Fake", version: "1") }

    func provision(_ plan: SessionPlan, events: @escaping @Sendable (SessionEvent) -> Void) async throws -> SessionHandle {
        var members: [String: String] = [:]
        for member in plan.members {
            events(.startingMember(member.name))
            try FileManager.default.createDirectory(atPath: directory(plan.sessionID, member.name), withIntermediateDirectories: true)
            members[member.name] = member.name
        }
        state.withLock { $0.sessions[plan.sessionID] = BackendSession(id: plan.sessionID, metadata: plan.metadata, objects: ["fake \(plan.sessionID)"]) }
        return SessionHandle(locator: locator, session: plan.sessionID, members: members)
    }

    func exec(_ request: MemberExec, in session: SessionHandle) async throws -> ExecOutput {
        guard session.members[request.member] != nil, state.withLock({ $0.sessions[session.session] != nil }) else {
            throw BackendError(.notFound, "no member \(request.member) in \(session.session)")
        }
        state.withLock { $0.execs += 1 }
        let directory = directory(session.session, request.member)
        let clock = ContinuousClock()
        let started = clock.now
        // File descriptor 9 is closed, as in a container's exec (a batch opens it for the wrapper's markers).
        let result = try await Nalabo.executeProcess("/bin/sh", ["-c", "exec 9>&-; cd \"$MEMBER\" && exec \"$@\"", "sh"] + request.command,
                                                     environment: ["MEMBER": directory])
        var stdout = CappedOutput(limit: request.outputLimit)
        stdout.append(Array(result.stdout.utf8))
        var stderr = CappedOutput(limit: request.outputLimit)
        stderr.append(Array(result.stderr.utf8))
        return ExecOutput(exitCode: Int(result.status), stdout: stdout, stderr: stderr, duration: clock.now - started)
    }

    /// Writes each file below the member's directory (its target read as relative to it); archives are
    /// unpacked with this machine's tar.
    func copyFiles(_ files: [FileCopy], into member: String, in session: SessionHandle) async throws {
        guard session.members[member] != nil else { throw BackendError(.notFound, "no member \(member) in \(session.session)") }
        for file in files {
            let path = directory(session.session, member) + file.target
            if file.extract {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                let archive = root.path + "/archive-\(UUID().uuidString)"
                try Data(file.bytes).write(to: URL(fileURLWithPath: archive))
                let result = try await Nalabo.executeProcess("/bin/tar", ["-x", "-f", archive, "-C", path, "--no-same-owner"])
                try? FileManager.default.removeItem(atPath: archive)
                guard result.status == 0 else { throw BackendError(.refused, "tar: \(result.stderr)") }
            } else {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.bytes).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.posixPermissions: file.mode ?? FileCopy.defaultMode], ofItemAtPath: path)
            }
        }
    }

    func attachTerminal(member: String, command: [String], in session: SessionHandle, size: TerminalSize?) async throws -> any TerminalChannel {
        throw BackendError(.unsupported, "the fake backend has no terminals")
    }

    func health(_ session: SessionHandle) async throws -> [String: MemberHealth] {
        let alive = state.withLock { $0.sessions[session.session] != nil }
        return session.members.mapValues { _ in MemberHealth(running: alive, state: alive ? "running" : "missing", killedForMemory: false, outOfMemoryKills: nil) }
    }

    func teardown(_ sessionID: String, events: @escaping @Sendable (SessionEvent) -> Void) async -> [String] {
        state.withLock {
            $0.sessions[sessionID] = nil
            $0.torn.append(sessionID)
        }
        try? FileManager.default.removeItem(atPath: root.path + "/" + sessionID)
        return []
    }

    func sessions() async throws -> [BackendSession] { state.withLock { Array($0.sessions.values) } }
}
