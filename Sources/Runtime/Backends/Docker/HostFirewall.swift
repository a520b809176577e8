import Foundation
import Synchronization

/// The host-side rule that keeps learner containers away from the host's own services.
///
/// A container on a bridge with a route out (an `internet` session, a port gateway) can address the host
/// through the bridge's gateway address or any other address of the host, and the host's INPUT chain accepts
/// that traffic: Docker's isolation rules filter only *forwarded* traffic. One rule on INPUT rejects every new
/// connection that arrives on a session bridge (their names start with ``DockerLayout/bridgePrefix``);
/// replies to connections the host opened (published ports) still pass. Isolated sessions do not need it:
/// their bridges have no host address at all.
public enum HostFirewall {
    /// The rule, for `iptables` and `ip6tables` alike, without the command and chain operation.
    public static let rule = ["INPUT", "-i", DockerLayout.bridgePrefix + "+", "-m", "conntrack", "--ctstate", "NEW", "-j", "REJECT"]

    /// The commands an operator runs as root to install the rule by hand.
    public static var commands: [String] {
        ["iptables", "ip6tables"].map { "\($0) -I " + rule.joined(separator: " ") }
    }

    /// Whether the rule is in force, and if not, why.
    public enum Status: Sendable, Equatable {
        /// The rule is installed for IPv4 and (where the host has IPv6 tables) IPv6.
        case enforced
        /// nalabo could not make sure of it; the reason says what the operator does.
        case unverified(String)
    }

    private static let cache = Mutex<Status?>(nil)

    /// Makes sure the rule is installed when this process may: it runs as root on the machine of the engine,
    /// and `iptables` is there. Checked once per process.
    public static func ensure(for endpoint: EngineEndpoint) -> Status {
        cache.withLock { cached in
            if let cached { return cached }
            let status = install(for: endpoint)
            cached = status
            return status
        }
    }

    private static func install(for endpoint: EngineEndpoint) -> Status {
        let local: Bool = switch endpoint.transport {
        case .unixSocket: true
        case .tcp(let host, _, _): host == "127.0.0.1" || host == "localhost" || host == "::1"
        }
        let fix = "as root on the engine's machine: " + commands.joined(separator: "; ") + " (docs/runtime.md, \"The host\")"
        guard local else { return .unverified("the engine at \(endpoint) is on another machine; there, \(fix)") }
        guard geteuid() == 0 else { return .unverified("nalabo runs without root and cannot check the host's firewall; \(fix)") }
        guard let iptables = tool("iptables") else { return .unverified("iptables is not installed; \(fix)") }
        guard ensureRule(with: iptables) else { return .unverified("iptables could not add the rule; \(fix)") }
        // IPv6 where the host has it: a missing ip6tables, or a kernel without IPv6 tables, is no hole.
        if let ip6tables = tool("ip6tables"), run(ip6tables, ["-w", "-S", "INPUT"]) == 0 {
            guard ensureRule(with: ip6tables) else { return .unverified("ip6tables could not add the rule; \(fix)") }
        }
        return .enforced
    }

    private static func ensureRule(with command: String) -> Bool {
        if run(command, ["-w", "-C"] + rule) == 0 { return true }
        return run(command, ["-w", "-I"] + rule) == 0
    }

    private static func tool(_ name: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command with no input and its output discarded; its exit status, or nil when it cannot start.
    private static func run(_ path: String, _ arguments: [String]) -> Int32? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
