import Foundation
import Runtime

/// Shells that outlive their WebSocket for a while: when a learner's page loses its connection (a network
/// blip, a reload), the shell keeps running and what it printed meanwhile is kept (the last 64 KiB), so the
/// page reconnects to the same shell. A shell nobody reattaches to within `grace` is closed. Process-local:
/// a reconnect that reaches another portal process gets a new shell.
actor TerminalRegistry {
    struct Key: Hashable, Sendable {
        var session: String
        var container: String
        /// Chosen by the page for each terminal it shows.
        var terminal: String
    }

    private final class Entry: @unchecked Sendable {
        let channel: any TerminalChannel
        var backlog: [UInt8] = []
        var subscriber: AsyncStream<[UInt8]>.Continuation?
        var generation = 0
        var ended = false
        init(channel: any TerminalChannel) { self.channel = channel }
    }

    static let backlogLimit = 64 * 1024
    private var entries: [Key: Entry] = [:]
    let grace: Duration

    init(grace: Duration = .seconds(60)) {
        self.grace = grace
    }

    /// The shell of `key` — the running one, or a new one from `open` — with what it printed since it was
    /// last watched, and a stream of what it prints from now on (finished when the shell ends or another
    /// connection takes it over).
    func attach(_ key: Key, open: @Sendable () async throws -> any TerminalChannel)
        async throws -> (channel: any TerminalChannel, replay: [UInt8], output: AsyncStream<[UInt8]>) {
        let entry: Entry
        var replay: [UInt8] = []
        if let existing = entries[key], !existing.ended {
            entry = existing
            replay = existing.backlog
            existing.subscriber?.finish()
        } else {
            entry = Entry(channel: try await open())
            entries[key] = entry
            Task { await self.pump(key, entry) }
        }
        entry.backlog = []
        entry.generation += 1
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        entry.subscriber = continuation
        return (entry.channel, replay, stream)
    }

    /// The connection went away: keep the shell for `grace`, then close it unless someone came back.
    func detach(_ key: Key) {
        guard let entry = entries[key] else { return }
        entry.subscriber?.finish()
        entry.subscriber = nil
        let generation = entry.generation
        Task {
            try? await Task.sleep(for: grace)
            await self.expire(key, generation: generation)
        }
    }

    private func expire(_ key: Key, generation: Int) async {
        guard let entry = entries[key], entry.subscriber == nil, entry.generation == generation else { return }
        entries[key] = nil
        await entry.channel.close()
    }

    private func pump(_ key: Key, _ entry: Entry) async {
        do {
            for try await chunk in entry.channel.output { deliver(entry, chunk) }
        } catch {}
        finish(key, entry)
    }

    private func deliver(_ entry: Entry, _ chunk: [UInt8]) {
        if let subscriber = entry.subscriber {
            subscriber.yield(chunk)
        } else {
            entry.backlog += chunk
            if entry.backlog.count > Self.backlogLimit { entry.backlog.removeFirst(entry.backlog.count - Self.backlogLimit) }
        }
    }

    private func finish(_ key: Key, _ entry: Entry) {
        entry.ended = true
        entry.subscriber?.finish()
        if entries[key] === entry { entries[key] = nil }
    }

    /// Shells kept now (for tests).
    var count: Int { entries.count }
}
