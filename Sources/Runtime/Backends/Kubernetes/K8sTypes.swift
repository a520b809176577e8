import Foundation

/// The parts of Kubernetes API objects nalabo reads (it writes whole objects as ``JSONValue``s from
/// ``KubernetesLayout``). Unknown fields are ignored; every field is optional, as the API leaves them out.
enum K8s {
    struct Status: Decodable {
        var status: String?
        var message: String?
        var reason: String?
        var code: Int?
        var details: Details?
        struct Details: Decodable {
            var causes: [Cause]?
        }
        struct Cause: Decodable {
            var reason: String?
            var message: String?
        }
    }

    struct Metadata: Decodable {
        var name: String?
        var namespace: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var deletionTimestamp: String?
    }

    struct List<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct Namespace: Decodable {
        var metadata: Metadata
        var status: Phase?
        struct Phase: Decodable { var phase: String? }
    }

    struct Pod: Decodable {
        var metadata: Metadata
        var status: PodStatus?
    }

    struct PodStatus: Decodable {
        var phase: String?
        var reason: String?
        var message: String?
        var podIP: String?
        var conditions: [Condition]?
        var containerStatuses: [ContainerStatus]?
    }

    struct Condition: Decodable {
        var type: String?
        var status: String?
        var reason: String?
        var message: String?
    }

    struct ContainerStatus: Decodable {
        var name: String?
        var ready: Bool?
        var restartCount: Int?
        var state: ContainerState?
        var lastState: ContainerState?
    }

    struct ContainerState: Decodable {
        var waiting: Reason?
        var running: Running?
        var terminated: Terminated?
        struct Reason: Decodable {
            var reason: String?
            var message: String?
        }
        struct Running: Decodable { var startedAt: String? }
        struct Terminated: Decodable {
            var exitCode: Int?
            var reason: String?
            var message: String?
        }
    }

    struct Event: Decodable {
        var reason: String?
        var message: String?
        var type: String?
        var involvedObject: Involved?
        struct Involved: Decodable {
            var kind: String?
            var name: String?
        }
    }

    struct Version: Decodable {
        var gitVersion: String?
        var platform: String?
    }

    struct Node: Decodable {
        var metadata: Metadata
        var status: NodeStatus?
        struct NodeStatus: Decodable {
            var runtimeHandlers: [RuntimeHandler]?
        }
        struct RuntimeHandler: Decodable {
            var name: String?
            var features: Features?
        }
        struct Features: Decodable {
            var userNamespaces: Bool?
        }

        /// Whether the node's default runtime handler runs Pods in user namespaces (`hostUsers: false`).
        var supportsUserNamespaces: Bool {
            status?.runtimeHandlers?.first { ($0.name ?? "").isEmpty }?.features?.userNamespaces == true
        }
    }
}
