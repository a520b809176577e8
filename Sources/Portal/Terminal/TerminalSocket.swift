import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Runtime

/// `GET /api/sessions/{id}/terminal/{container}`: a WebSocket to an interactive shell in one container of the
/// caller's own session. Binary frames carry the terminal's bytes both ways; a text frame
/// `{"type":"resize","cols":C,"rows":R}` resizes it. Authenticated like any request (cookie or token), the
/// `Origin` checked, and refused with 404 before the upgrade for anyone else's session.
struct TerminalSocket {
    let labs: LabSessions
    let registry: TerminalRegistry

    static let path = "/api/sessions/:id/terminal/:container"

    struct Control: Decodable {
        var type: String
        var cols: Int?
        var rows: Int?
    }

    func register(on router: PortalRouter) {
        router.recordRoute("GET " + PortalRouter.openAPIPath(Self.path))
        router.router.ws(RouterPath(Self.path)) { request, context in
            _ = try await target(request, context)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let (owned, container) = try? await target(context.request, context.requestContext) else {
                try await outbound.close(.policyViolation, reason: "not your session")
                return
            }
            let size = TerminalSize(rows: Self.query(context.request, "rows") ?? 24, columns: Self.query(context.request, "cols") ?? 80)
            let backend = try await labs.backend(for: owned.record)
            guard let handle = owned.record.handle else {
                try await outbound.close(.unexpectedServerError, reason: "the session has no containers yet")
                return
            }
            let shell = owned.workshop.environment.containers.first { $0.name == container }?.shell ?? "/bin/sh"
            // The page names its terminal so that a reconnect finds the same shell; without a name, a new one.
            let name = context.request.uri.queryParameters.get("terminal").flatMap { $0.count <= 64 ? String($0) : nil }
                ?? UUID().uuidString
            let key = TerminalRegistry.Key(session: owned.catalogueID, container: container, terminal: name)
            let (terminal, replay, output) = try await registry.attach(key) {
                try await backend.attachTerminal(member: container, command: [shell], in: handle, size: size)
            }
            try? await terminal.resize(size)
            defer { Task { await registry.detach(key) } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    if !replay.isEmpty { try await outbound.write(.binary(ByteBuffer(bytes: replay))) }
                    for await chunk in output {
                        try await outbound.write(.binary(ByteBuffer(bytes: chunk)))
                    }
                    try await outbound.close(.normalClosure, reason: "the shell ended")
                }
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        switch message {
                        case .binary(let buffer): try await terminal.send(Array(buffer.readableBytesView))
                        case .text(let text):
                            guard let control = try? JSONDecoder().decode(Control.self, from: Data(text.utf8)) else { continue }
                            if control.type == "resize", let cols = control.cols, let rows = control.rows,
                               (1...1000).contains(cols), (1...1000).contains(rows) {
                                try await terminal.resize(TerminalSize(rows: rows, columns: cols))
                            }
                        }
                    }
                }
                // An open terminal keeps the session from being reaped as orphaned.
                if let role = context.requestContext.caller?.role {
                    group.addTask {
                        while !Task.isCancelled {
                            await labs.touch(owned.catalogueID, as: role)
                            try await Task.sleep(for: .seconds(30))
                        }
                    }
                }
                // Whichever side ends first ends the other.
                _ = try? await group.next()
                group.cancelAll()
            }
        }
    }

    /// The caller's session and one of its containers, or 401/404.
    private func target(_ request: Request, _ context: PortalContext) async throws -> (LabSessions.Owned, String) {
        let caller = try context.requireCaller()
        guard caller.allows(.sessions) else { throw PortalError.forbidden("the token lacks the sessions scope") }
        guard let id = context.parameters.get("id"), let container = context.parameters.get("container") else {
            throw PortalError.notFound("no such terminal")
        }
        let owned = try await labs.owned(id, as: caller.role)
        guard owned.record.container(container) != nil else {
            throw PortalError.notFound("session \(id) has no container \(container)")
        }
        return (owned, container)
    }

    private static func query(_ request: Request, _ name: String) -> Int? {
        request.uri.queryParameters.get(name).flatMap { Int($0) }.map { min(max($0, 1), 1000) }
    }
}
