/// The Docker Engine API's JSON, as far as nalabo uses it (field names as the API spells them; every
/// field nalabo sends exists in API 1.41).
enum API {
    struct Created: Decodable {
        var id: String
        enum CodingKeys: String, CodingKey { case id = "Id" }
    }

    struct Info: Decodable {
        var serverVersion: String?
        var operatingSystem: String?
        var cgroupVersion: String?
        var driver: String?
        /// Pairs such as `["Backing Filesystem", "xfs"]`.
        var driverStatus: [[String]]?
        enum CodingKeys: String, CodingKey {
            case serverVersion = "ServerVersion", operatingSystem = "OperatingSystem", cgroupVersion = "CgroupVersion"
            case driver = "Driver", driverStatus = "DriverStatus"
        }
    }

    struct Version: Decodable {
        struct Component: Decodable {
            var name: String
            enum CodingKeys: String, CodingKey { case name = "Name" }
        }
        var version: String?
        var components: [Component]?
        enum CodingKeys: String, CodingKey { case version = "Version", components = "Components" }
    }

    struct NetworkCreate: Encodable {
        var name: String
        var checkDuplicate: Bool
        var driver: String
        var `internal`: Bool
        var labels: [String: String]
        var attachable: Bool
        /// Bridge driver options: the interface name, and `inhibit_ipv4` for no host address.
        var options: [String: String]
        enum CodingKeys: String, CodingKey {
            case name = "Name", checkDuplicate = "CheckDuplicate", driver = "Driver", `internal` = "Internal"
            case labels = "Labels", attachable = "Attachable", options = "Options"
        }
    }

    struct EndpointConfig: Encodable {
        var aliases: [String]
        enum CodingKeys: String, CodingKey { case aliases = "Aliases" }
    }

    struct NetworkConnect: Encodable {
        var container: String
        var endpointConfig: EndpointConfig
        enum CodingKeys: String, CodingKey { case container = "Container", endpointConfig = "EndpointConfig" }
    }

    struct PortBinding: Codable {
        var hostIP: String
        var hostPort: String
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }

    struct Empty: Encodable {}

    struct HostConfig: Encodable {
        struct RestartPolicy: Encodable {
            var name = "no"
            enum CodingKeys: String, CodingKey { case name = "Name" }
        }
        struct LogConfig: Encodable {
            var type = "json-file"
            var config = ["max-size": "1m", "max-file": "1"]
            enum CodingKeys: String, CodingKey { case type = "Type", config = "Config" }
        }
        var networkMode: String
        var portBindings: [String: [PortBinding]]
        var privileged = false
        var capDrop = ["ALL"]
        var capAdd: [String]
        var securityOpt = ["no-new-privileges:true"]
        var memory: Int64
        var memorySwap: Int64
        var nanoCpus: Int64
        var pidsLimit: Int
        var `init` = true
        var readonlyRootfs: Bool
        /// `{"size": BYTES}`: the writable layer's limit (overlay2 on xfs with project quotas).
        var storageOpt: [String: String]?
        var ipcMode = "private"
        var restartPolicy = RestartPolicy()
        var logConfig = LogConfig()
        var binds: [String] = []
        /// Engine volumes only (nalabo-init's); never a path of the host.
        var mounts: [Mount]?
        var publishAllPorts = false
        var dns: [String]
        var extraHosts: [String]?
        enum CodingKeys: String, CodingKey {
            case networkMode = "NetworkMode", portBindings = "PortBindings", privileged = "Privileged", capDrop = "CapDrop"
            case capAdd = "CapAdd", securityOpt = "SecurityOpt", memory = "Memory", memorySwap = "MemorySwap"
            case nanoCpus = "NanoCpus", pidsLimit = "PidsLimit", `init` = "Init", readonlyRootfs = "ReadonlyRootfs"
            case ipcMode = "IpcMode", restartPolicy = "RestartPolicy", logConfig = "LogConfig", binds = "Binds", mounts = "Mounts"
            case publishAllPorts = "PublishAllPorts", dns = "Dns", storageOpt = "StorageOpt", extraHosts = "ExtraHosts"
        }
    }

    struct VolumeCreate: Encodable {
        var name: String
        var labels: [String: String]
        enum CodingKeys: String, CodingKey { case name = "Name", labels = "Labels" }
    }

    struct VolumeInspect: Decodable {
        var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case labels = "Labels" }
    }

    struct Mount: Encodable {
        var type = "volume"
        var source: String
        var target: String
        var readOnly: Bool
        /// An empty volume is not filled from the image's directory at the target.
        var volumeOptions = ["NoCopy": true]
        enum CodingKeys: String, CodingKey {
            case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly", volumeOptions = "VolumeOptions"
        }
    }

    struct NetworkingConfig: Encodable {
        var endpointsConfig: [String: EndpointConfig]
        enum CodingKeys: String, CodingKey { case endpointsConfig = "EndpointsConfig" }
    }

    struct ContainerCreate: Encodable {
        var hostname: String
        var user: String?
        var env: [String]
        var entrypoint: [String]
        var cmd: [String] = []
        var image: String
        var workingDir: String?
        var labels: [String: String]
        var exposedPorts: [String: Empty]
        var tty = false
        var openStdin = false
        var hostConfig: HostConfig
        var networkingConfig: NetworkingConfig?

        enum CodingKeys: String, CodingKey {
            case hostname = "Hostname", user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd", image = "Image"
            case workingDir = "WorkingDir", labels = "Labels", exposedPorts = "ExposedPorts", tty = "Tty"
            case openStdin = "OpenStdin", hostConfig = "HostConfig", networkingConfig = "NetworkingConfig"
        }

        init(_ spec: ContainerSpec) {
            let keys = spec.ports.map { "\($0)/tcp" }
            hostname = spec.hostname
            user = spec.user
            env = spec.env
            entrypoint = spec.command
            image = spec.image
            workingDir = spec.workdir
            labels = spec.labels
            exposedPorts = Dictionary(keys.map { ($0, Empty()) }, uniquingKeysWith: { first, _ in first })
            hostConfig = HostConfig(
                networkMode: spec.network,
                portBindings: Dictionary(keys.map { ($0, [PortBinding(hostIP: "127.0.0.1", hostPort: "")]) }, uniquingKeysWith: { first, _ in first }),
                capAdd: spec.capabilities,
                memory: spec.limits.memoryBytes,
                memorySwap: spec.limits.memoryBytes,
                nanoCpus: spec.limits.nanoCPUs,
                pidsLimit: spec.limits.pids,
                `init`: spec.engineInit,
                readonlyRootfs: spec.readOnlyRootFilesystem,
                storageOpt: spec.limits.diskBytes.map { ["size": String($0)] },
                mounts: spec.volumes.isEmpty ? nil : spec.volumes.map { Mount(source: $0.volume, target: $0.target, readOnly: $0.readOnly) },
                dns: spec.dnsServers,
                extraHosts: spec.extraHosts.isEmpty ? nil : spec.extraHosts
            )
            if spec.network != "none" {
                networkingConfig = NetworkingConfig(endpointsConfig: [spec.network: EndpointConfig(aliases: spec.aliases)])
            }
        }
    }

    struct ContainerInspect: Decodable {
        struct State: Decodable {
            var status: String
            var running: Bool
            var exitCode: Int
            var oomKilled: Bool
            enum CodingKeys: String, CodingKey { case status = "Status", running = "Running", exitCode = "ExitCode", oomKilled = "OOMKilled" }
        }
        struct Config: Decodable {
            var labels: [String: String]?
            enum CodingKeys: String, CodingKey { case labels = "Labels" }
        }
        struct NetworkSettings: Decodable {
            struct Network: Decodable {
                var ipAddress: String?
                enum CodingKeys: String, CodingKey { case ipAddress = "IPAddress" }
            }
            var ports: [String: [PortBinding]?]?
            var networks: [String: Network]?
            enum CodingKeys: String, CodingKey { case ports = "Ports", networks = "Networks" }
        }
        var id: String
        var name: String
        var state: State
        var config: Config?
        var networkSettings: NetworkSettings?
        enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", state = "State", config = "Config", networkSettings = "NetworkSettings" }
    }

    struct ContainerListItem: Decodable {
        var id: String
        var names: [String]
        var state: String?
        var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "Id", names = "Names", state = "State", labels = "Labels" }
    }

    struct NetworkListItem: Decodable {
        var id: String
        var name: String
        var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", labels = "Labels" }
    }

    struct ExecCreate: Encodable {
        var attachStdin: Bool
        var attachStdout: Bool
        var attachStderr: Bool
        var tty: Bool
        var cmd: [String]
        var env: [String]?
        var user: String?
        var workingDir: String?
        enum CodingKeys: String, CodingKey {
            case attachStdin = "AttachStdin", attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty"
            case cmd = "Cmd", env = "Env", user = "User", workingDir = "WorkingDir"
        }
    }

    struct ExecStart: Encodable {
        var detach: Bool
        var tty: Bool
        enum CodingKeys: String, CodingKey { case detach = "Detach", tty = "Tty" }
    }

    struct ExecInspect: Decodable {
        var running: Bool
        var exitCode: Int?
        enum CodingKeys: String, CodingKey { case running = "Running", exitCode = "ExitCode" }
    }
}
