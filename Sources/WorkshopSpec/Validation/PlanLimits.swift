/// Reports every value of a workshop that exceeds a plan's limits, at the offending value.
struct PlanLimits {
    let plan: Plan

    /// - Parameter challenges: `workshop.challenges`, gathered once by the caller.
    func check(_ workshop: Workshop, challenges: [Challenge], bundleBytes: Int, into sink: DiagnosticSink) {
        let containers = workshop.environment.containers
        if containers.count > plan.maxContainers {
            sink.report(.planLimit("container count \(containers.count)", limit: "\(plan.maxContainers) per workshop", plan: plan),
                        at: containers[plan.maxContainers].location)
        }
        for container in containers {
            let resources = container.resources
            if resources.cpus > plan.maxCPUs {
                sink.report(.planLimit("cpus \(resources.cpus.formatted)", limit: "\(plan.maxCPUs.formatted) per container", plan: plan),
                            at: resources.$cpus)
            }
            if resources.memory > plan.maxMemory {
                sink.report(.planLimit("memory \(resources.memory)", limit: "\(plan.maxMemory) per container", plan: plan),
                            at: resources.$memory)
            }
            if resources.pids > plan.maxPIDs {
                sink.report(.planLimit("pids \(resources.pids)", limit: "\(plan.maxPIDs) per container", plan: plan), at: resources.$pids)
            }
            if let disk = resources.disk, disk.wrappedValue > plan.maxDisk {
                sink.report(.planLimit("disk \(disk.wrappedValue)", limit: "\(plan.maxDisk) per container", plan: plan), at: disk.location)
            }
            if container.ports.count > plan.maxPortsPerContainer {
                sink.report(.planLimit("port count \(container.ports.count)", limit: "\(plan.maxPortsPerContainer) per container", plan: plan),
                            at: container.ports[plan.maxPortsPerContainer].location)
            }
        }
        if workshop.steps.count > plan.maxSteps {
            sink.report(.planLimit("step count \(workshop.steps.count)", limit: "\(plan.maxSteps)", plan: plan),
                        at: workshop.steps[plan.maxSteps].$id)
        }
        if challenges.count > plan.maxChallenges {
            sink.report(.planLimit("challenge count \(challenges.count)", limit: "\(plan.maxChallenges)", plan: plan),
                        at: challenges[plan.maxChallenges].$id)
        }
        if workshop.limits.session > plan.maxSession {
            sink.report(.planLimit("session \(workshop.limits.session)", limit: "\(plan.maxSession)", plan: plan),
                        at: workshop.limits.$session)
        }
        if !plan.networkModes.contains(workshop.environment.network) {
            sink.report(.planLimit("network mode '\(workshop.environment.network.rawValue)'", allowed: plan.networkModes.map(\.rawValue), plan: plan),
                        at: workshop.environment.$network)
        }
        if bundleBytes > plan.maxBundle.bytes {
            sink.report(.planLimit("bundle size \(bundleBytes) bytes", limit: "\(plan.maxBundle.bytes) bytes (\(plan.maxBundle))", plan: plan),
                        at: .start)
        }
    }
}
