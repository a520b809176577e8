import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exec with a terminal, for `nalabo shell` without the docker CLI: the engine hijacks the HTTP connection
/// (`Upgrade: tcp`) and then carries raw terminal bytes both ways. AsyncHTTPClient does not hand out upgraded
/// connections, so this one request is written on a socket of its own.
public struct InteractiveExec: Sendable {
    public let id: String
    /// The connected socket carrying the terminal; the caller closes it.
    public let socket: Int32
    /// Output that arrived together with the answer's head, to be written before anything read later.
    public let initialOutput: [UInt8]
    /// With a terminal the output is raw bytes; without one it is multiplexed (``StreamDemultiplexer``).
    public let tty: Bool
}

extension DockerEngine {
    /// Starts `command` in a container, with a terminal when `tty` (as `docker exec -it`; without one as
    /// `docker exec -i`), and returns the hijacked connection.
    public func startInteractive(container: String, command: [String], user: String?, workdir: String?,
                                 env: [String], tty: Bool) async throws -> InteractiveExec {
        guard case .unixSocket(let path) = endpoint.transport else {
            throw EngineError.badEndpoint(endpoint.description, reason: "an interactive shell without the docker CLI needs a unix socket; install the docker CLI for TCP endpoints")
        }
        let create = API.ExecCreate(attachStdin: true, attachStdout: true, attachStderr: true, tty: tty, cmd: command,
                                    env: env.isEmpty ? nil : env, user: user, workingDir: workdir)
        let id = try await createExec(container: container, create)
        let body = try JSONEncoder().encode(API.ExecStart(detach: false, tty: tty))
        let descriptor = try Self.connect(unixSocket: path, endpoint: endpoint.description)
        let head = "POST /v\(apiVersion)/exec/\(id)/start HTTP/1.1\r\nHost: docker\r\nUser-Agent: nalabo\r\n"
            + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: \(body.count)\r\n\r\n"
        do {
            try Self.writeAll(descriptor, Array(head.utf8) + Array(body))
            // Read the answer's head: "HTTP/1.1 101 UPGRADED" (200 on old engines), headers, a blank line.
            var received: [UInt8] = []
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            while true {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw EngineError.protocolViolation("the engine closed the connection before answering the exec start")
                }
                received += buffer[..<count]
                if let end = received.firstRange(of: separator) {
                    let statusLine = String(decoding: received[..<(received.firstIndex(of: UInt8(ascii: "\r")) ?? end.lowerBound)], as: UTF8.self)
                    guard statusLine.contains(" 101 ") || statusLine.contains(" 200 ") else {
                        throw EngineError.api(status: 0, message: statusLine, request: "POST /exec/\(id)/start")
                    }
                    return InteractiveExec(id: id, socket: descriptor, initialOutput: Array(received[end.upperBound...]), tty: tty)
                }
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Tells the engine the terminal's size.
    public func resizeExec(_ id: String, rows: Int, columns: Int) async throws {
        _ = try await send(.POST, "/exec/\(id)/resize", query: [("h", String(rows)), ("w", String(columns))])
    }

    /// The exit code of a finished exec, waiting briefly for the engine to record it.
    public func execExitCode(_ id: String) async throws -> Int? {
        for _ in 0..<50 {
            let inspect = try await inspectExec(id)
            if !inspect.running { return inspect.exitCode }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func connect(unixSocket path: String, endpoint: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EngineError.unreachable(endpoint: endpoint, reason: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw EngineError.badEndpoint(endpoint, reason: "the socket path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            let reason = errno == ENOENT ? "no socket there" : String(cString: strerror(errno))
            close(descriptor)
            throw EngineError.unreachable(endpoint: endpoint, reason: reason)
        }
        return descriptor
    }

    /// Writes every byte, retrying after interruptions and short writes.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw EngineError.protocolViolation("the terminal connection broke: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
