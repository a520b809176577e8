import Foundation
import NIOCore
import NIOPosix
import WSClient

/// A member's published ports on 127.0.0.1 of this machine, for as long as nalabo keeps them (`status
/// --forward`, `shell`): a listener per port, and per accepted connection one port-forward WebSocket to the API
/// server (`/pods/NAME/portforward`, protocol `v4.channel.k8s.io`: channel 0 carries the data, channel 1 the
/// errors, and the first message on each is the port, two bytes little-endian). Nothing listens on another
/// address, and nothing is forwarded once the body returns.
enum KubernetesPortForward {
    /// Forwards every published port of the session while `body` runs.
    static func forwarding<T: Sendable>(_ api: KubernetesAPI, namespace: String, members: [(member: String, pod: String, ports: [Int])],
                                        _ body: @Sendable ([String: [PublishedPort]]) async throws -> T) async throws -> T {
        var listeners: [(member: String, port: Int, server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>)] = []
        for entry in members {
            for port in entry.ports {
                let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: "127.0.0.1", port: 0) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                listeners.append((entry.member, port, server))
            }
        }
        var published: [String: [PublishedPort]] = [:]
        for listener in listeners {
            published[listener.member, default: []].append(PublishedPort(port: listener.port, hostIP: "127.0.0.1",
                                                                         hostPort: listener.server.channel.localAddress?.port ?? 0))
        }
        let pods = Dictionary(members.map { ($0.member, $0.pod) }) { first, _ in first }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for listener in listeners {
                let pod = pods[listener.member] ?? listener.member
                group.addTask {
                    try await listener.server.executeThenClose { connections in
                        try await withThrowingDiscardingTaskGroup { connectionsGroup in
                            for try await connection in connections {
                                connectionsGroup.addTask {
                                    try? await relay(connection, api: api, namespace: namespace, pod: pod, port: listener.port)
                                }
                            }
                        }
                    }
                }
            }
            // The forward lasts exactly as long as the body: then the listeners close and every relay ends.
            defer {
                for listener in listeners { listener.server.channel.close(promise: nil) }
                group.cancelAll()
            }
            return try await body(published)
        }
    }

    /// Copies one local connection to the Pod's port and back.
    static func relay(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, api: KubernetesAPI, namespace: String, pod: String, port: Int) async throws {
        let (configuration, tls) = try await api.webSocket(protocol: "v4.channel.k8s.io", closeTimeout: .seconds(2))
        let url = api.webSocketURL("/api/v1/namespaces/\(namespace)/pods/\(pod)/portforward", query: [("ports", String(port))])
        try await connection.executeThenClose { inbound, outbound in
            try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: url.hasPrefix("wss:") ? tls : nil,
                                              logger: KubernetesExec.logger) { socketIn, socketOut, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await chunk in inbound {
                            var frame = ByteBuffer()
                            frame.writeInteger(UInt8(0))
                            frame.writeImmutableBuffer(chunk)
                            try await socketOut.write(.binary(frame))
                        }
                    }
                    group.addTask {
                        var seenPort: Set<UInt8> = []
                        var messages = socketIn.messages(maxSize: 16 << 20).makeAsyncIterator()
                        while let message = try await messages.next() {
                            guard case .binary(var buffer) = message, let channel = buffer.readInteger(as: UInt8.self) else { continue }
                            // The first message of each channel only names the port.
                            if seenPort.insert(channel).inserted { continue }
                            if channel == 0 { try await outbound.write(buffer) } else if buffer.readableBytes > 0 { return }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}
