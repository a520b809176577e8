/// How a session's container is doing, as `nalabo status` reports it.
public struct ContainerHealth: Sendable, Codable, Equatable {
    public var running: Bool
    public var state: String
    /// The container itself was killed for memory (its main process).
    public var killedForMemory: Bool
    /// Processes the kernel killed because the container reached its memory limit, read from the container's
    /// cgroup (`oom_kill` in memory.events on cgroup v2, memory.oom_control on v1); nil when unknown.
    public var outOfMemoryKills: Int?

    /// Inspects a container and, when it runs, reads its out-of-memory kill counter.
    public static func check(_ containerID: String, on engine: any ContainerEngine) async -> ContainerHealth {
        guard let state = try? await engine.inspectContainer(containerID) else {
            return ContainerHealth(running: false, state: "missing", killedForMemory: false, outOfMemoryKills: nil)
        }
        var health = ContainerHealth(running: state.running, state: state.running ? "running" : "\(state.status) (exit \(state.exitCode))",
                                     killedForMemory: state.oomKilled && !state.running, outOfMemoryKills: nil)
        guard state.running else { return health }
        let read = ExecRequest(container: containerID, command: ["/bin/sh", "-c", """
            for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
              [ -r "$f" ] || continue
              while read -r key value; do [ "$key" = oom_kill ] && { echo "$value"; exit 0; }; done < "$f"
            done
            """], timeLimit: .seconds(5), outputLimit: 64)
        if let output = try? await engine.exec(read), output.exitCode == 0 {
            health.outOfMemoryKills = Int(output.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return health
    }
}
