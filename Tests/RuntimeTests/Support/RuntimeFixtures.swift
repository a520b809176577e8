@_exported import TestSupport
import Foundation
import Runtime
import Testing
import WorkshopSpec

/// The Docker engine the tests run against: the one DOCKER_HOST or the default socket names, which
/// scripts/test (through scripts/start-docker) makes sure is running. No engine is a test failure, not a skip.
enum TestEngine {
    static func connect() async throws -> DockerEngine {
        do {
            return try await DockerEngine.connect()
        } catch {
            throw Failure("no Docker engine for the runtime tests (\(error)); run them with scripts/test, which starts one")
        }
    }

    /// The tiny image most tests use (scripts/offline-images builds it).
    static let busybox = "nalabo/busybox:test"
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A workshop written into a temporary directory, with its own session state directory, so tests run side
/// by side without seeing each other's sessions.
final class Lab {
    let files: TemporaryDirectory
    let state: TemporaryDirectory
    let store: SessionStore

    init(_ spec: String, files extra: [String: String] = [:]) throws {
        files = try TemporaryDirectory()
        state = try TemporaryDirectory()
        store = SessionStore(directory: URL(fileURLWithPath: state.path).appendingPathComponent("nalabo/sessions"))
        try files.write("workshop.yaml", spec)
        for (path, text) in extra { try files.write(path, text) }
    }

    var path: String { files.path }

    /// The environment for running the CLI against this lab's state.
    var environment: [String: String] { ["XDG_STATE_HOME": state.path] }

    func workshop() throws -> Workshop {
        let loaded = SpecLoader(plan: nil).load(path: files.path + "/workshop.yaml")
        return try #require(loaded.workshop, "the fixture does not validate: \(loaded.diagnostics.map(\.message))")
    }

    func nalabo(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await Nalabo.execute(arguments, environment: self.environment.merging(environment) { _, new in new })
    }

    /// Brings a session up through the library.
    func up(_ engine: DockerEngine, events: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async throws -> LocalSession {
        try await SessionProvisioner(backend: DockerBackend(engine: engine), store: store).up(workshop(), options: .init(source: path), events: events)
    }

    func down(_ engine: DockerEngine, _ session: LocalSession) async {
        let problems = await SessionProvisioner(backend: DockerBackend(engine: engine), store: store).remove(sessionID: session.id)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Runs a shell command in one of the session's containers as root and returns its output.
    func shell(_ engine: DockerEngine, _ session: LocalSession, _ command: String, container: String? = nil,
               user: String? = nil) async throws -> ExecOutput {
        let name = container ?? session.containers[0].name
        let id = try #require(session.handle?.members[name])
        return try await engine.exec(ExecRequest(container: id, command: ["/bin/sh", "-c", command], user: user,
                                                 timeLimit: .seconds(60)))
    }
}

/// A minimal valid spec on the busybox test image; `challenges` is YAML for the one step's challenges.
func busyboxSpec(slug: String = "fixture", network: String = "none", containers: String? = nil, setup: String = "",
                 challenges: String = "", resources: String = "{cpus: 0.5, memory: 64Mi, pids: 64}") -> String {
    let containerBlock = containers ?? """
            - name: box
              image: \(TestEngine.busybox)
              shell: /bin/sh
              resources: \(resources)
        """
    return """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: \(slug), title: Fixture, version: 1.0.0}
        environment:
          network: \(network)
          containers:
        \(containerBlock)
        \(setup)
        limits: {session: 30m}
        steps:
          - id: only
            title: The only step
            content: Do the thing.
        \(challenges.isEmpty ? "" : "    challenges:\n" + challenges)
        """
}

/// An environment setup that keeps `up` busy for a minute, for tests that interrupt it.
let slowSetup = """
      setup:
        - run: sleep 60
          timeout: 2m
    """

/// Reads `key value` lines such as /proc/self/status.
func field(_ name: String, in text: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

extension Lab {
    /// Brings a session up, runs `body`, and always removes the session again.
    func withSession<T>(_ engine: DockerEngine, _ body: (LocalSession) async throws -> T) async throws -> T {
        let session = try await up(engine)
        do {
            let result = try await body(session)
            await down(engine, session)
            return result
        } catch {
            await down(engine, session)
            throw error
        }
    }

    /// Runs the checks of a challenge through the grader's script runner.
    func runCheck(_ engine: DockerEngine, _ session: LocalSession, challenge: String) async throws -> [CheckResult] {
        let workshop = try workshop()
        let found = try #require(workshop.challenge(challenge))
        return try await Grader(backend: DockerBackend(engine: engine), store: store).runChecks(found, workshop: workshop, record: session)
    }
}

/// Engine objects carrying a session's label (empty once it is fully removed).
func objects(of session: String, on engine: DockerEngine) async throws -> [String] {
    let label = "\(DockerLayout.Label.session)=\(session)"
    return try await engine.containers(labelled: label).map(\.name) + engine.networks(labelled: label).map(\.name)
}

/// Runs a host command through /bin/sh, blocking the calling thread: for deinit, defer and other places
/// that cannot await.
func hostBlocking(_ command: String) throws -> CommandResult {
    try Nalabo.runProcess("/bin/sh", ["-c", command])
}

/// Runs a host command through /bin/sh and returns its result.
func host(_ command: String) async throws -> CommandResult {
    try await Nalabo.executeProcess("/bin/sh", ["-c", command])
}

/// Waits until the engine has a container with `label` (`key=value`) and returns its session id.
func waitForSession(labelled label: String, on engine: DockerEngine, seconds: Int = 15) async throws -> String {
    for _ in 0..<(seconds * 10) {
        if let id = try await engine.containers(labelled: label).first?.labels[DockerLayout.Label.session] { return id }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw Failure("no session with \(label) appeared within \(seconds) s")
}
