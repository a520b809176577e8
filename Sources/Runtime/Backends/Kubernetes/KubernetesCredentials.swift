import Foundation
import NIOSSL
import Subprocess
import Synchronization

/// How nalabo proves who it is to an API server: a client certificate, a bearer token (inline or from a file
/// read at each use, as service-account tokens rotate), or what an exec-credential plugin prints (cached
/// until the expiry it gives).
final class KubernetesCredentials: Sendable {
    struct Current: Sendable {
        var token: String?
        var certificate: [UInt8]?
        var key: [UInt8]?
        var expires: Date?
    }

    let user: Kubeconfig.User
    let userName: String
    let cluster: Kubeconfig.Cluster
    private let cached = Mutex<Current?>(nil)

    init(user: Kubeconfig.User, userName: String, cluster: Kubeconfig.Cluster) {
        self.user = user
        self.userName = userName
        self.cluster = cluster
    }

    /// The credentials to use now; `refresh` runs the exec plugin again (after a 401).
    func current(refresh: Bool = false) async throws -> Current {
        guard let plugin = user.exec else {
            var current = Current(token: user.token, certificate: user.clientCertificate, key: user.clientKey)
            if current.token == nil, let file = user.tokenFile {
                guard let bytes = try? Kubeconfig.readFile(file) else {
                    throw Kubeconfig.Failure("the token file \(file) of user \(userName) cannot be read")
                }
                current.token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return current
        }
        if !refresh, let known = cached.withLock({ $0 }), known.expires.map({ $0.timeIntervalSinceNow > 10 }) ?? true {
            return known
        }
        let fresh = try await Self.run(plugin, user: userName, cluster: cluster)
        cached.withLock { $0 = fresh }
        return fresh
    }

    /// Runs an exec-credential plugin as kubectl does: `KUBERNETES_EXEC_INFO` describes the request, the
    /// plugin prints an `ExecCredential` on standard output.
    static func run(_ plugin: Kubeconfig.ExecPlugin, user: String, cluster: Kubeconfig.Cluster) async throws -> Current {
        var spec: [String: Any] = ["interactive": false]
        if plugin.provideClusterInfo {
            var info: [String: Any] = ["server": cluster.server, "insecure-skip-tls-verify": cluster.insecureSkipTLSVerify]
            if let ca = cluster.certificateAuthority { info["certificate-authority-data"] = Data(ca).base64EncodedString() }
            spec["cluster"] = info
        }
        let request: [String: Any] = ["apiVersion": plugin.apiVersion, "kind": "ExecCredential", "spec": spec]
        let requestJSON = String(decoding: (try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8), as: UTF8.self)
        var overrides: [Environment.Key: String?] = ["KUBERNETES_EXEC_INFO": requestJSON]
        for (name, value) in plugin.env { overrides[Environment.Key(stringLiteral: name)] = value }
        let executable: Executable = plugin.command.contains("/") ? .path(.init(plugin.command)) : .name(plugin.command)
        let status: TerminationStatus
        let output: String
        let said: String
        do {
            let result = try await Self.launching {
                try await Subprocess.run(executable, arguments: Arguments(plugin.args), environment: .inherit.updating(overrides),
                                         output: .string(limit: 1 << 20), error: .string(limit: 64 << 10))
            }
            status = result.terminationStatus
            output = result.standardOutput
            said = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            let hint = plugin.installHint.map { "\n" + $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            throw Kubeconfig.Failure("the credential plugin \(plugin.command) of user \(user) cannot be run (\(error))\(hint)")
        }
        guard case .exited(0) = status else {
            throw Kubeconfig.Failure("the credential plugin \(plugin.command) of user \(user) failed (\(status))" + (said.isEmpty ? "" : ": \(said)"))
        }
        return try parse(Data(output.utf8), plugin: plugin.command)
    }

    /// An `ExecCredential`'s status.
    static func parse(_ output: Data, plugin: String) throws -> Current {
        guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any], object["kind"] as? String == "ExecCredential",
              let status = object["status"] as? [String: Any] else {
            throw Kubeconfig.Failure("the credential plugin \(plugin) did not print an ExecCredential")
        }
        let current = Current(token: status["token"] as? String,
                              certificate: (status["clientCertificateData"] as? String).map { Array($0.utf8) },
                              key: (status["clientKeyData"] as? String).map { Array($0.utf8) },
                              expires: (status["expirationTimestamp"] as? String).flatMap(SessionMetadata.parseTimestamp))
        guard current.token != nil || (current.certificate != nil && current.key != nil) else {
            throw Kubeconfig.Failure("the credential plugin \(plugin) gave neither a token nor a client certificate and key")
        }
        return current
    }

    /// TLS for the cluster: its CA (or the system's), and a client certificate when there is one.
    func tlsConfiguration(for current: Current) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if cluster.insecureSkipTLSVerify {
                tls.certificateVerification = .none
            } else if let ca = cluster.certificateAuthority {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = current.certificate, let key = current.key {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw Kubeconfig.Failure("the certificates of cluster \(cluster.server) or user \(userName) cannot be read: \(error)")
        }
        return tls
    }

    /// Runs `launch`, again after a short pause when exec(2) said ETXTBSY: a program just written is still open
    /// for writing in a process that another thread forked meanwhile (as Go's os/exec does, a few times only).
    static func launching<T>(_ launch: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await launch()
            } catch let error as SubprocessError where error.underlyingError?.rawValue == ETXTBSY && attempt < 5 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(10 << attempt))
            }
        }
    }
}
