import Foundation
import WorkshopSpec

/// Where a container engine listens, resolved the way the docker CLI resolves it.
public struct EngineEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Transport: Sendable, Equatable {
        case unixSocket(path: String)
        /// `tcp://host:port`; with TLS when `DOCKER_TLS_VERIFY` is set.
        case tcp(host: String, port: Int, tls: TLSFiles?)
    }

    /// The client certificate files of a TLS endpoint (`DOCKER_CERT_PATH`).
    public struct TLSFiles: Sendable, Equatable {
        public var caFile: String
        public var certificateFile: String
        public var keyFile: String
    }

    public var transport: Transport
    /// How it was chosen: `DOCKER_HOST`, `context NAME`, `default socket`, `Podman socket`.
    public var origin: String

    public var description: String {
        switch transport {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port, _): "tcp://\(host):\(port)"
        }
    }

    public init(transport: Transport, origin: String) {
        self.transport = transport
        self.origin = origin
    }

    /// Parses `unix:///path` or `tcp://host:port` (the forms `DOCKER_HOST` takes).
    public init(parsing text: String, origin: String, environment: [String: String] = [:]) throws {
        self.origin = origin
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw EngineError.badEndpoint(text, reason: "a unix socket needs an absolute path, like unix:///var/run/docker.sock")
            }
            transport = .unixSocket(path: path)
        } else if text.hasPrefix("tcp://") {
            var rest = String(text.dropFirst("tcp://".count))
            if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
            let tls = Self.tlsFiles(environment)
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw EngineError.badEndpoint(text, reason: "expected tcp://HOST:PORT")
            }
            transport = .tcp(host: String(parts[0]), port: port, tls: tls)
        } else {
            throw EngineError.badEndpoint(text, reason: "nalabo speaks to engines over unix:// or tcp:// (for ssh://, forward the socket with `ssh -L`)")
        }
    }

    private static func tlsFiles(_ environment: [String: String]) -> TLSFiles? {
        guard let verify = environment["DOCKER_TLS_VERIFY"], !verify.isEmpty, verify != "0" else { return nil }
        let directory = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.docker")
        return TLSFiles(caFile: directory + "/ca.pem", certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem")
    }

    /// Resolves the endpoint like the docker CLI: `DOCKER_HOST`, then `DOCKER_CONTEXT`, then the current context
    /// of `$DOCKER_CONFIG/config.json` (default `~/.docker`), then `/var/run/docker.sock`; when that socket is
    /// missing but Podman's Docker-compatible socket exists, Podman's.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               fileManager: FileManager = .default) throws -> EngineEndpoint {
        if let host = environment["DOCKER_HOST"], !host.isEmpty {
            return try EngineEndpoint(parsing: host, origin: "DOCKER_HOST", environment: environment)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configDirectory = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.docker"
        var context = environment["DOCKER_CONTEXT"].flatMap { $0.isEmpty ? nil : $0 }
        if context == nil,
           let data = fileManager.contents(atPath: configDirectory + "/config.json"),
           let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let current = config["currentContext"] as? String, !current.isEmpty {
            context = current
        }
        if let context, context != "default" {
            let metaPath = configDirectory + "/contexts/meta/" + SHA256.hex(Array(context.utf8)) + "/meta.json"
            guard let data = fileManager.contents(atPath: metaPath),
                  let meta = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let endpoints = meta["Endpoints"] as? [String: Any],
                  let docker = endpoints["docker"] as? [String: Any],
                  let host = docker["Host"] as? String else {
                throw EngineError.badEndpoint("context \(context)", reason: "the docker context \"\(context)\" has no readable endpoint in \(metaPath); `docker context ls` lists the contexts")
            }
            return try EngineEndpoint(parsing: host, origin: "docker context \(context)", environment: environment)
        }
        let dockerSocket = "/var/run/docker.sock"
        if !fileManager.fileExists(atPath: dockerSocket) {
            var podmanSockets = ["/run/podman/podman.sock"]
            if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
                podmanSockets.insert(runtime + "/podman/podman.sock", at: 0)
            }
            if let podman = podmanSockets.first(where: { fileManager.fileExists(atPath: $0) }) {
                return EngineEndpoint(transport: .unixSocket(path: podman), origin: "Podman socket")
            }
        }
        return EngineEndpoint(transport: .unixSocket(path: dockerSocket), origin: "default socket")
    }
}
