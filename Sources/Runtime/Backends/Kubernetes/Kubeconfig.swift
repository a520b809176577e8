import Foundation
import WorkshopSpec

/// A kubeconfig, found and merged exactly as kubectl does: `--kubeconfig FILE` alone; otherwise every file of
/// `KUBECONFIG` (colon-separated), the first to name a cluster, user or context winning, the first
/// `current-context` set winning; otherwise `~/.kube/config`; and with none of them, the in-cluster
/// service-account configuration of a Pod. Relative paths count from the file that holds them.
public struct Kubeconfig: Sendable, Equatable {
    public struct Cluster: Sendable, Equatable {
        public var server: String
        /// PEM bytes of the CA to verify the server against (from `certificate-authority-data` or the file).
        public var certificateAuthority: [UInt8]?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
    }

    /// An exec-credential plugin (`users[].user.exec`), as cloud clusters configure.
    public struct ExecPlugin: Sendable, Equatable {
        public var command: String
        public var args: [String]
        public var env: [String: String]
        public var apiVersion: String
        public var installHint: String?
        public var provideClusterInfo: Bool
    }

    public struct User: Sendable, Equatable {
        public var clientCertificate: [UInt8]?
        public var clientKey: [UInt8]?
        public var token: String?
        /// Read at each connection: service-account tokens rotate.
        public var tokenFile: String?
        public var exec: ExecPlugin?
    }

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?
    /// The files read, in order (or `in-cluster`), for messages.
    public var sources: [String] = []

    /// What a kubeconfig does not allow.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    public init() {}

    // MARK: Finding it

    /// The configuration kubectl would use.
    public static func load(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                            inClusterRoot: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws -> Kubeconfig {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw Failure("the kubeconfig \(explicitPath) (--kubeconfig) does not exist")
            }
            return try merge([explicitPath])
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
            guard !paths.isEmpty else { throw Failure("none of the files in KUBECONFIG (\(list)) exists") }
            return try merge(paths)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let standard = home + "/.kube/config"
        if FileManager.default.fileExists(atPath: standard) { return try merge([standard]) }
        if let inCluster = try inCluster(environment: environment, root: inClusterRoot) { return inCluster }
        throw Failure("no kubeconfig: give --kubeconfig FILE or set KUBECONFIG, or create \(standard) (as kubectl does)")
    }

    /// The service-account configuration every Pod gets, when nalabo itself runs in a cluster.
    static func inCluster(environment: [String: String], root: String) throws -> Kubeconfig? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
              FileManager.default.fileExists(atPath: root + "/token") else { return nil }
        var config = Kubeconfig()
        let server = host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
        config.clusters["in-cluster"] = Cluster(server: server, certificateAuthority: try? readFile(root + "/ca.crt"))
        config.users["in-cluster"] = User(tokenFile: root + "/token")
        let namespace = (try? readFile(root + "/namespace")).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        config.contexts["in-cluster"] = Context(cluster: "in-cluster", user: "in-cluster", namespace: namespace)
        config.currentContext = "in-cluster"
        config.sources = ["in-cluster"]
        return config
    }

    /// Merges files in kubectl's order: the first definition of a name wins, and the first current-context.
    static func merge(_ paths: [String]) throws -> Kubeconfig {
        var merged = Kubeconfig()
        for path in paths {
            let file = try parse(SourceFile(path: path, bytes: readFile(path)))
            merged.clusters.merge(file.clusters) { first, _ in first }
            merged.users.merge(file.users) { first, _ in first }
            merged.contexts.merge(file.contexts) { first, _ in first }
            if merged.currentContext == nil, let current = file.currentContext, !current.isEmpty { merged.currentContext = current }
            merged.sources.append(path)
        }
        return merged
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure("cannot read \(path)") }
        defer { try? handle.close() }
        // Bounded: a kubeconfig with a few embedded certificates is kilobytes.
        guard let data = try? handle.read(upToCount: 8 << 20) else { throw Failure("cannot read \(path)") }
        return Array(data)
    }

    // MARK: Reading one file

    /// One kubeconfig file (YAML or JSON, which is YAML).
    public static func parse(_ file: SourceFile) throws -> Kubeconfig {
        let sink = DiagnosticSink(file: file.path)
        guard let root = YAMLParser.parse(file, into: sink) else {
            let problem = sink.diagnostics.first.map { "\($0.location.line):\($0.location.column): \($0.message)" } ?? "not YAML"
            throw Failure("\(file.path):\(problem)")
        }
        let directory = URL(fileURLWithPath: file.path).deletingLastPathComponent().path
        let reader = Reader(file: file.path, directory: directory)
        var config = Kubeconfig()
        config.sources = [file.path]
        guard case .mapping = root.content else {
            if case .scalar(let scalar) = root.content, scalar.isNull { return config }
            throw Failure("\(file.path): a kubeconfig is a mapping (apiVersion, clusters, users, contexts)")
        }
        config.currentContext = reader.string(root, "current-context")
        for entry in reader.namedList(root, "clusters") {
            guard let cluster = reader.mapping(entry.node, "cluster") else { continue }
            guard let server = reader.string(cluster, "server") else {
                throw Failure("\(file.path):\(cluster.location.line): cluster \(entry.name) has no server")
            }
            config.clusters[entry.name] = Cluster(
                server: server,
                certificateAuthority: try reader.bytes(cluster, data: "certificate-authority-data", file: "certificate-authority"),
                insecureSkipTLSVerify: reader.string(cluster, "insecure-skip-tls-verify") == "true",
                tlsServerName: reader.string(cluster, "tls-server-name"))
        }
        for entry in reader.namedList(root, "users") {
            guard let user = reader.mapping(entry.node, "user") else {
                config.users[entry.name] = User()
                continue
            }
            var exec: ExecPlugin?
            if let plugin = reader.mapping(user, "exec") {
                guard let command = reader.string(plugin, "command") else {
                    throw Failure("\(file.path):\(plugin.location.line): the exec plugin of user \(entry.name) has no command")
                }
                var env: [String: String] = [:]
                for item in reader.list(plugin, "env") {
                    if let name = reader.string(item, "name") { env[name] = reader.string(item, "value") ?? "" }
                }
                exec = ExecPlugin(command: command, args: reader.list(plugin, "args").compactMap(reader.scalar), env: env,
                                  apiVersion: reader.string(plugin, "apiVersion") ?? "client.authentication.k8s.io/v1",
                                  installHint: reader.string(plugin, "installHint"),
                                  provideClusterInfo: reader.string(plugin, "provideClusterInfo") == "true")
            }
            config.users[entry.name] = User(
                clientCertificate: try reader.bytes(user, data: "client-certificate-data", file: "client-certificate"),
                clientKey: try reader.bytes(user, data: "client-key-data", file: "client-key"),
                token: reader.string(user, "token"),
                tokenFile: reader.string(user, "tokenFile").map(reader.resolve),
                exec: exec)
        }
        for entry in reader.namedList(root, "contexts") {
            guard let context = reader.mapping(entry.node, "context") else { continue }
            config.contexts[entry.name] = Context(cluster: reader.string(context, "cluster") ?? "", user: reader.string(context, "user") ?? "",
                                                  namespace: reader.string(context, "namespace"))
        }
        return config
    }

    /// Reads the few shapes a kubeconfig has, leniently where kubectl is (unknown keys are ignored).
    private struct Reader {
        var file: String
        var directory: String

        func value(_ node: Node, _ key: String) -> Node? {
            guard case .mapping(let entries) = node.content else { return nil }
            return entries.first { $0.key.value == key }?.value
        }

        func scalar(_ node: Node) -> String? {
            guard case .scalar(let scalar) = node.content, !scalar.isNull else { return nil }
            return scalar.value
        }

        func string(_ node: Node, _ key: String) -> String? { value(node, key).flatMap(scalar) }

        func mapping(_ node: Node, _ key: String) -> Node? {
            guard let value = value(node, key), case .mapping = value.content else { return nil }
            return value
        }

        func list(_ node: Node, _ key: String) -> [Node] {
            guard let value = value(node, key), case .sequence(let items) = value.content else { return [] }
            return items
        }

        func namedList(_ node: Node, _ key: String) -> [(name: String, node: Node)] {
            list(node, key).compactMap { item in string(item, "name").map { ($0, item) } }
        }

        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : (path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst(1) : directory + "/" + path)
        }

        /// Inline base64 data, or the file a path names.
        func bytes(_ node: Node, data: String, file key: String) throws -> [UInt8]? {
            if let encoded = string(node, data) {
                guard let decoded = Data(base64Encoded: encoded.filter { !$0.isWhitespace }) else {
                    throw Failure("\(file): \(data) is not base64")
                }
                return Array(decoded)
            }
            guard let path = string(node, key) else { return nil }
            do {
                return try readFile(resolve(path))
            } catch {
                throw Failure("\(file): \(key) \(resolve(path)) cannot be read")
            }
        }
    }

    // MARK: Choosing a context

    /// The cluster and user of a context: `--context`, or the current one.
    public func resolve(context chosen: String?) throws -> (name: String, context: Context, cluster: Cluster, user: User) {
        let where_ = sources.joined(separator: ", ")
        guard let name = chosen ?? currentContext else {
            let known = contexts.keys.sorted().joined(separator: ", ")
            throw Failure("the kubeconfig (\(where_)) has no current context; give --context NAME" + (known.isEmpty ? "" : " (one of \(known))"))
        }
        guard let context = contexts[name] else {
            throw Failure("the kubeconfig (\(where_)) has no context \(name); it has \(contexts.keys.sorted().joined(separator: ", "))")
        }
        guard let cluster = clusters[context.cluster] else {
            throw Failure("context \(name) names cluster \(context.cluster), which the kubeconfig (\(where_)) does not define")
        }
        return (name, context, cluster, users[context.user] ?? User())
    }
}
