/// Where sessions run, by kind: what the CLI and the portal use to connect to a backend, or to reach a
/// session's backend again from its record.
public enum SessionBackends {
    /// Connects to a new session's backend: Docker (DOCKER_HOST, the docker context, the default socket) or
    /// Kubernetes (the kubeconfig as kubectl finds it, or the given file and context).
    public static func connect(_ kind: BackendKind, kubeconfig: String? = nil, context: String? = nil) async throws -> any SessionBackend {
        switch kind {
        case .docker: try await DockerBackend.connect()
        case .kubernetes: try KubernetesBackend.connect(kubeconfig: kubeconfig, context: context)
        }
    }

    /// The backend a session was started on (whatever DOCKER_HOST says now), in the API version negotiated then;
    /// on Kubernetes, the same context of the kubeconfig given at `up`.
    public static func reopen(_ record: LocalSession) async throws -> any SessionBackend {
        switch record.backend.kind {
        case .docker: try await DockerBackend.reopen(record.backend, apiVersion: record.handle?.state["apiVersion"])
        case .kubernetes: try KubernetesBackend.reopen(record.backend, kubeconfig: record.handle?.state["kubeconfig"])
        }
    }
}
