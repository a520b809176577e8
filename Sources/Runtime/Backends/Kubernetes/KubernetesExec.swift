import Foundation
import Logging
import NIOCore
import Synchronization
import WSClient

/// Exec in a Pod over the API server's WebSocket (`/pods/NAME/exec`), as kubectl does: the stream protocol
/// `v5.channel.k8s.io` (which can close standard input), falling back to `v4.channel.k8s.io` on older
/// servers. Every message starts with its channel: 0 standard input, 1 output, 2 error output, 3 the final
/// `Status` (the exit code), 4 terminal resizes, 255 closing a channel (v5).
enum KubernetesExec {
    enum Channel: UInt8 {
        case stdin = 0, stdout = 1, stderr = 2, status = 3, resize = 4, close = 255
    }

    static let protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    /// The protocol each server accepted last, so an older server is not asked for v5 every time.
    private static let negotiated = Mutex<[String: String]>([:])

    static let logger = Logger(label: "nalabo.kubernetes.exec", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects an exec and runs `body` on the open WebSocket; the protocol in use is passed in.
    static func connect(api: KubernetesAPI, namespace: String, pod: String, container: String, command: [String],
                        stdin: Bool, tty: Bool,
                        body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, String) async throws -> Void) async throws {
        var query: [(String, String)] = command.map { ("command", $0) }
        query += [("container", container), ("stdout", "true"), ("stderr", tty ? "false" : "true")]
        if stdin { query.append(("stdin", "true")) }
        if tty { query.append(("tty", "true")) }
        let path = "/api/v1/namespaces/\(namespace)/pods/\(pod)/exec"
        let url = api.webSocketURL(path, query: query)
        let offered = api.execProtocols
        let known = negotiated.withLock { $0[api.server] }.flatMap { offered.contains($0) ? $0 : nil }
        let candidates = known.map { [$0] + offered.filter { $0 != known } } ?? offered
        for (index, proto) in candidates.enumerated() {
            let (configuration, tls) = try await api.webSocket(protocol: proto, closeTimeout: .seconds(5))
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: url.hasPrefix("wss:") ? tls : nil,
                                                  logger: logger) { inbound, outbound, _ in
                    // Only what the server chose from the usual offer is remembered for it.
                    if offered == protocols { negotiated.withLock { $0[api.server] = proto } }
                    try await body(inbound, outbound, proto)
                }
                return
            } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
                // Refused: an older server (try the next protocol), or a reason the Pod itself gives.
                if index == candidates.count - 1 { throw await refusal(api: api, namespace: namespace, pod: pod) }
            } catch {
                throw api.translate(error, request: "exec in pod \(pod)")
            }
        }
    }

    /// Why the server refused an exec, found from the Pod (the WebSocket refusal carries no reason).
    static func refusal(api: KubernetesAPI, namespace: String, pod: String) async -> Error {
        do {
            let found = try await api.get(K8s.Pod.self, "/api/v1/namespaces/\(namespace)/pods/\(pod)")
            if let stopped = KubernetesBackend.stoppedReason(found) { return BackendError(.stopped, stopped) }
            return BackendError(.refused, "the API server \(api.server) (context \(api.context)) refused an exec in pod \(pod) of namespace "
                                + "\(namespace); the user needs `create` on pods/exec (docs/kubernetes-rbac.yaml)")
        } catch {
            return error
        }
    }

    /// The exit code in a channel-3 `Status`: 0 on success, the `ExitCode` cause of `NonZeroExitCode`; a failure
    /// without one (the command could not start) reads as 126 with the server's words.
    static func exitStatus(_ bytes: [UInt8]) -> (code: Int, message: String?) {
        guard let status = try? JSONDecoder().decode(K8s.Status.self, from: Data(bytes)) else { return (126, String(decoding: bytes, as: UTF8.self)) }
        if status.status == "Success" { return (0, nil) }
        if status.reason == "NonZeroExitCode", let code = status.details?.causes?.first(where: { $0.reason == "ExitCode" })?.message.flatMap({ Int($0) }) {
            return (code, nil)
        }
        return (126, status.message)
    }

    /// Runs a command to its end (or the time limit), collecting output up to `limit` bytes a stream.
    static func run(api: KubernetesAPI, namespace: String, pod: String, container: String, command: [String],
                    timeLimit: Duration?, outputLimit: Int) async throws -> ExecOutput {
        let started = ContinuousClock.now
        let collected = Mutex(ExecOutput(exitCode: nil, stdout: CappedOutput(limit: outputLimit), stderr: CappedOutput(limit: outputLimit)))
        let finished = try await withDeadline(timeLimit.map { started + $0 }) {
            try await connect(api: api, namespace: namespace, pod: pod, container: container, command: command, stdin: false, tty: false) { inbound, _, _ in
                var messages = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
                while let message = try await messages.next() {
                    guard case .binary(var buffer) = message, let channel = buffer.readInteger(as: UInt8.self) else { continue }
                    let bytes = buffer.readableBytesView
                    collected.withLock { output in
                        switch Channel(rawValue: channel) {
                        case .stdout: output.stdout.append(bytes)
                        case .stderr: output.stderr.append(bytes)
                        case .status:
                            let status = exitStatus(Array(bytes))
                            output.exitCode = status.code
                            if let message = status.message { output.stderr.append(Array((message + "\n").utf8)) }
                        default: break
                        }
                    }
                }
            }
        } != nil
        var output = collected.withLock { $0 }
        output.duration = ContinuousClock.now - started
        if !finished { output.exitCode = nil }
        else if output.exitCode == nil {
            // The connection ended without a status: the container went away under the command.
            throw await refusal(api: api, namespace: namespace, pod: pod)
        }
        return output
    }
}
