/// A container engine failure, worded for the person who has to fix it.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DOCKER_HOST or a context names an endpoint nalabo cannot use.
    case badEndpoint(String, reason: String)
    /// Nothing answers at the endpoint.
    case unreachable(endpoint: String, reason: String)
    /// The engine's API is older than the oldest nalabo supports.
    case unsupportedVersion(endpoint: String, apiVersion: String)
    /// An image is missing and could not be pulled.
    case imageUnavailable(image: String, reason: String)
    /// The engine refused a request.
    case api(status: Int, message: String, request: String)
    /// A container, exec or network that should exist does not.
    case notFound(String)
    /// The engine said something nalabo could not read, or the connection broke mid-answer.
    case protocolViolation(String)

    /// The engine cannot cap a container's size on its storage (`--storage-opt size` needs overlay2 on xfs
    /// with project quotas, or btrfs with quotas).
    public var refusesStorageSize: Bool {
        guard case .api(_, let message, _) = self else { return false }
        return message.contains("storage-opt") || message.contains("pquota") || message.contains("project quota")
            || message.contains("qgroup") || message.contains("quota")
    }

    public var description: String {
        switch self {
        case .badEndpoint(let endpoint, let reason):
            "cannot use the container engine endpoint \(endpoint): \(reason)"
        case .unreachable(let endpoint, let reason):
            """
            the Docker daemon at \(endpoint) is unreachable (\(reason)).
            Start it (`sudo systemctl start docker`, `sudo dockerd &`, or scripts/start-docker in nalabo's checkout), \
            or point DOCKER_HOST at a running engine (unix:///path/to/docker.sock or tcp://HOST:PORT).
            """
        case .unsupportedVersion(let endpoint, let apiVersion):
            "the engine at \(endpoint) speaks Docker API \(apiVersion); nalabo needs \(DockerAPIVersion.minimum) (Docker 20.10) or newer"
        case .imageUnavailable(let image, let reason):
            """
            the image \(image) is not on this machine and could not be pulled: \(reason).
            Pull it where a registry is reachable and copy it over (`docker save \(image) | ssh HOST docker load`), \
            or build a local stand-in with scripts/offline-images (see docs/offline-images.md).
            """
        case .api(let status, let message, let request):
            "the engine refused \(request) (HTTP \(status)): \(message)"
        case .notFound(let what):
            "\(what) does not exist on the engine"
        case .protocolViolation(let message):
            "unexpected answer from the engine: \(message)"
        }
    }
}
