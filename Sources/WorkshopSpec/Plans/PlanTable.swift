/// The plan table as `nalabo plans` prints it and docs/spec.md shows it.
public struct PlanTable: Sendable {
    public struct Row: Sendable {
        public var limit: String
        /// The JSON key of the limit.
        public var key: String
        public var values: [JSONValue]
        public var texts: [String]
    }

    public let plans: [Plan]
    public let rows: [Row]

    public init(plans: [Plan] = Plan.all) {
        self.plans = plans
        func row(_ limit: String, _ key: String, _ value: (Plan) -> (JSONValue, String)) -> Row {
            let pairs = plans.map(value)
            return Row(limit: limit, key: key, values: pairs.map(\.0), texts: pairs.map(\.1))
        }
        rows = [
            row("published workshops", "published_workshops") { plan in
                plan.maxPublishedWorkshops.map { (.int(Int64($0)), String($0)) } ?? (.null, "unlimited")
            },
            row("containers per workshop", "containers") { (.int(Int64($0.maxContainers)), String($0.maxContainers)) },
            row("cpus per container", "cpus") { (.double($0.maxCPUs), $0.maxCPUs.formatted) },
            row("memory per container", "memory") { (.string($0.maxMemory.description), $0.maxMemory.description) },
            row("pids per container", "pids") { (.int(Int64($0.maxPIDs)), String($0.maxPIDs)) },
            row("disk per container", "disk") { (.string($0.maxDisk.description), $0.maxDisk.description) },
            row("ports per container", "ports") { (.int(Int64($0.maxPortsPerContainer)), String($0.maxPortsPerContainer)) },
            row("steps", "steps") { (.int(Int64($0.maxSteps)), String($0.maxSteps)) },
            row("challenges", "challenges") { (.int(Int64($0.maxChallenges)), String($0.maxChallenges)) },
            row("session length", "session") { (.string($0.maxSession.description), $0.maxSession.description) },
            row("network modes", "network_modes") { plan in
                (.array(plan.networkModes.map { .string($0.rawValue) }), plan.networkModes.map(\.rawValue).joined(separator: ", "))
            },
            row("bundle size", "bundle") { (.string($0.maxBundle.description), $0.maxBundle.description) },
        ]
    }

    /// Aligned columns, one row per limit.
    public var text: String {
        let header = ["limit"] + plans.map(\.id)
        let lines = [header] + rows.map { [$0.limit] + $0.texts }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { column, cell in
                column == line.count - 1 ? cell : cell.padding(to: widths[column] + 2)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// `{"plans":[{"name":"free","limits":{...}}, ...]}`; unlimited is null.
    public var json: JSONValue {
        .object([("plans", .array(plans.indices.map { index in
            .object([
                ("name", .string(plans[index].id)),
                ("limits", .object(rows.map { ($0.key, $0.values[index]) })),
            ])
        }))])
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
