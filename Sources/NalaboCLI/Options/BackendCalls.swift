import ArgumentParser
import Foundation
import Runtime
import WorkshopSpec

extension ExitStatus {
    /// What a backend failure means for the exit code: unreachable backends share the catalogue's 3.
    static func status(for error: BackendError) -> Int32 {
        switch error.kind {
        case .unreachable, .unsupported: unreachable
        case .notFound: notFound
        case .imageUnavailable, .refused, .stopped, .protocolViolation: couldNotRun
        }
    }
}

/// Runs backend work; a ``BackendError`` or a session store failure becomes its message and exit code.
func backendCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as BackendError {
        throw CommandFailure(error.description, status: ExitStatus.status(for: error)).exit()
    } catch let error as IncompleteCleanup {
        let status = (error.cause as? BackendError).map(ExitStatus.status(for:)) ?? ExitStatus.couldNotRun
        throw CommandFailure(error.description, status: status).exit()
    } catch let error as SessionStore.Failure {
        throw CommandFailure(error.description).exit()
    } catch let error as Grader.SessionExpired {
        throw CommandFailure(error.description, status: ExitStatus.notPermitted).exit()
    } catch let error as ExpiredBeforeReady {
        throw CommandFailure(error.description).exit()
    } catch let error as Grader.UnknownChallenge {
        throw CommandFailure(error.description, status: ExitStatus.notFound).exit()
    } catch let error as SecretSource.Missing {
        throw CommandFailure(error.description).exit()
    } catch let error as SecretSource.Unreadable {
        throw CommandFailure(error.description).exit()
    } catch let error as Grader.NotStarted {
        throw CommandFailure(error.description, status: ExitStatus.problemsFound).exit()
    } catch let error as StepNavigation {
        throw CommandFailure(error.description, status: ExitStatus.problemsFound).exit()
    } catch let failure as SetupFailure {
        // A step's or challenge's setup, or a cleanup, that ran as the learner moved on.
        throw CommandFailure(failure.description, status: ExitStatus.problemsFound).exit()
    }
}

/// `--backend`, `--kubeconfig`, `--context`: where new sessions start (and what `prune` looks at).
struct BackendOptions: ParsableArguments {
    @Option(name: .customLong("backend"),
            help: "Where sessions run: docker (the engine of DOCKER_HOST, the docker context or the default socket) or kubernetes (the cluster of the kubeconfig). Default: NALABO_BACKEND, else docker.")
    var backend: BackendKind?

    @Option(name: .customLong("kubeconfig"), help: "The kubeconfig file (Kubernetes); default KUBECONFIG, else ~/.kube/config, else the in-cluster configuration.")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context (Kubernetes); default its current context.")
    var context: String?

    /// The chosen kind: the flag, NALABO_BACKEND, or Docker.
    func kind(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BackendKind {
        if let backend { return backend }
        guard let named = environment["NALABO_BACKEND"], !named.isEmpty else { return .docker }
        guard let kind = BackendKind(rawValue: named) else {
            throw CommandFailure("NALABO_BACKEND is \(named); it must be docker or kubernetes", status: ExitStatus.couldNotRun).exit()
        }
        return kind
    }

    /// Connects to the chosen backend.
    func connect() async throws -> any SessionBackend {
        let kind = try kind()
        return try await backendCall { try await SessionBackends.connect(kind, kubeconfig: kubeconfig, context: context) }
    }
}

extension BackendKind: ExpressibleByArgument {}

/// The backend a session was started on (whatever DOCKER_HOST says now), in the API version negotiated then;
/// on Kubernetes, the same context of the kubeconfig given at `up` (or found as kubectl does).
func reopenBackend(_ record: LocalSession) async throws -> any SessionBackend {
    try await backendCall { try await SessionBackends.reopen(record) }
}

/// `--session ID`, shared by every command that works on a running session.
struct SessionOptions: ParsableArguments {
    @Option(name: .customLong("session"), help: "The session to use (an id from `nalabo sessions`, or a unique prefix); default the only one.")
    var session: String?

    /// The chosen session's record.
    func record(in store: SessionStore) throws -> LocalSession {
        let (sessions, problems) = store.all()
        for problem in problems { Terminal.standardError.write("warning: \(problem)\n") }
        if let session {
            let matches = sessions.filter { $0.id == session || $0.id.hasPrefix(session) }
            if let exact = matches.first(where: { $0.id == session }) { return exact }
            guard matches.count == 1, let match = matches.first else {
                if matches.isEmpty {
                    throw CommandFailure("there is no session \(session); `nalabo sessions` lists them", status: ExitStatus.notFound).exit()
                }
                throw CommandFailure("\(session) matches several sessions (\(matches.map(\.id).joined(separator: ", "))); give more of the id").exit()
            }
            return match
        }
        let live = sessions.filter { $0.status != .starting }
        guard let only = live.first else {
            throw CommandFailure("there is no session; start one with `nalabo up PATH`", status: ExitStatus.notFound).exit()
        }
        guard live.count == 1 else {
            let list = live.map { "  \($0.id)  \($0.workshop.slug)@\($0.workshop.version)" }.joined(separator: "\n")
            throw CommandFailure("there are \(live.count) sessions; choose one with --session ID:\n\(list)").exit()
        }
        return only
    }
}

/// A chosen session with what the commands need of it.
struct OpenSession {
    let store: SessionStore
    let record: LocalSession
    let workshop: Workshop

    /// The backend the session runs on.
    func backend() async throws -> any SessionBackend { try await reopenBackend(record) }

    /// The session's handle, for a container it has; exit 7 otherwise.
    func handle(for container: String) throws -> SessionHandle {
        guard let handle = record.handle, record.container(container) != nil else {
            throw CommandFailure("session \(record.id) has no container \(container)", status: ExitStatus.notFound).exit()
        }
        return handle
    }
}

extension SessionOptions {
    /// The chosen session, its stored workshop, and the local store it lives in.
    func open() throws -> OpenSession {
        let store = SessionStore.standard()
        let record = try record(in: store)
        return OpenSession(store: store, record: record, workshop: try sessionWorkshop(record, store: store))
    }
}

/// The workshop a session runs, from the bundle stored with it.
func sessionWorkshop(_ record: LocalSession, store: SessionStore) throws -> Workshop {
    do {
        return try StoredBundle(json: store.bundle(record.id)).workshop()
    } catch let failure as SessionStore.Failure {
        throw CommandFailure(failure.description).exit()
    } catch {
        throw CommandFailure("the workshop stored with session \(record.id) cannot be read (\(error)); `nalabo down --session \(record.id)` removes the session").exit()
    }
}
