import Testing
@testable import WorkshopSpec

/// Every plan limit is reported at the offending value, with the plan's own number.
@Suite struct PlanLimitTests {
    static let overFreePlan = MarkedSource("""
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: big, title: Big, version: 1.0.0}
        environment:
          network: 1️⃣internet
          containers:
            - name: one
              image: debian:bookworm-slim
              ports: [80, 443, 2️⃣8080]
              resources: {cpus: 3️⃣1.5, memory: 4️⃣1Gi, pids: 5️⃣512}
            - 6️⃣name: two
              image: debian:bookworm-slim
        limits:
          session: 7️⃣2h
        steps:
          - id: s
            title: S
            content: c
        """)

    @Test func eachLimitOfTheFreePlanIsReportedAtItsValue() throws {
        let found = try diagnostics(Self.overFreePlan, plan: .free)
        expect(found, [(.planLimit, 1), (.planLimit, 2), (.planLimit, 3), (.planLimit, 4), (.planLimit, 5), (.planLimit, 6), (.planLimit, 7)],
               in: Self.overFreePlan)
        #expect(found.map(\.message) == [
            "network mode 'internet' is not available on the free plan; it allows 'none' or 'isolated'",
            "port count 3 exceeds the free plan's limit of 2 per container",
            "cpus 1.5 exceeds the free plan's limit of 1 per container",
            "memory 1Gi exceeds the free plan's limit of 512Mi per container",
            "pids 512 exceeds the free plan's limit of 256 per container",
            "container count 2 exceeds the free plan's limit of 1 per workshop",
            "session 2h exceeds the free plan's limit of 1h",
        ])
        #expect(found[0].help == "choose one of those, or validate with --plan pro (`nalabo plans` lists the limits)")
        #expect(found[1].help == "lower the value, or validate with --plan pro (`nalabo plans` lists the limits)")
        #expect(try diagnostics(Self.overFreePlan, plan: .team).isEmpty)
    }

    @Test func theSameWorkshopFitsTheProPlanAndNeedsNoPlanWithoutOne() throws {
        #expect(try diagnostics(Self.overFreePlan, plan: .pro).filter { $0.rule == .planLimit }.isEmpty)
        #expect(try diagnostics(Self.overFreePlan, plan: nil).isEmpty)
    }

    @Test func stepAndChallengeCountsAreReportedAtTheFirstOneOverTheLimit() throws {
        var yaml = """
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: many, title: Many, version: 1.0.0}
            environment: {containers: [{name: box, image: "debian:bookworm-slim"}]}
            steps:

            """
        for step in 1...11 {
            yaml += "  - id: step-\(step)\n    title: Step\n    content: c\n    challenges:\n"
            for challenge in 1...3 {
                yaml += "      - {id: c-\(step)-\(challenge), title: C, checks: [{run: \"true\"}], solve: {run: \"true\"}}\n"
            }
        }
        let found = try load(yaml).diagnostics
        #expect(found.map(\.message) == [
            "challenge count 33 exceeds the free plan's limit of 25",
            "step count 11 exceeds the free plan's limit of 10",
        ])
        // Steps start on line 6, 7 lines each. The 26th challenge is the second of step 9; the 11th step's id
        // is the first line of step 11.
        #expect(found.map(\.location.line) == [6 + 8 * 7 + 5, 6 + 10 * 7])
    }

    @Test func bundleSizeCountsTheSpecAndEachReferencedFileOnce() throws {
        let big = String(repeating: "x", count: 250 * 1024) + "\n"
        var spec = minimalSpec.replacing("content: Do it.", with: "content_file: a.md")
        spec = spec.replacing("- run: test -f /tmp/done", with: """
            - script: b.sh
                      - script: c.sh
                      - script: d.sh
                      - script: e.sh
                      - script: e.sh
            """)
        let files = ["a.md": big, "b.sh": big, "c.sh": big, "d.sh": big, "e.sh": big]
        let loaded = try load(spec, files: files)
        #expect(loaded.bundleBytes == spec.utf8.count + 5 * big.utf8.count)
        #expect(loaded.diagnostics.map(\.message) == [
            "bundle size \(loaded.bundleBytes) bytes exceeds the free plan's limit of 1048576 bytes (1Mi)"
        ])
        #expect(try load(spec, files: files, plan: .pro).diagnostics.isEmpty)
    }

    @Test func resourcesDefaultToTheFreePlansMaxima() throws {
        let workshop = try #require(try load(minimalSpec).workshop)
        let resources = try #require(workshop.environment.containers.first?.resources)
        #expect(resources.cpus == Plan.free.maxCPUs)
        #expect(resources.memory == Plan.free.maxMemory)
        #expect(resources.pids == Plan.free.maxPIDs)
        #expect(resources.disk == nil && resources.diskLimit == Plan.free.maxDisk)
    }

    @Test func planTableListsEveryLimitOfEveryPlan() {
        let table = PlanTable()
        #expect(table.rows.count == 12)
        #expect(table.text.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["limit", "free", "pro", "team"])
        #expect(table.text.contains("published workshops      3               50                        unlimited"))
        #expect(table.json.compact.contains(#"{"name":"team","limits":{"published_workshops":null,"containers":10,"cpus":4,"#))
    }
}
