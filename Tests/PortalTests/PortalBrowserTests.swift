import Foundation
@testable import Portal
import Runtime
import Testing
import WorkshopSpec

/// The whole learner flow in a real headless Chromium (WebDriver) on the real stack — portal, PostgreSQL,
/// Docker: Browser/learner_flow.py says what it does. A screenshot of the lab page is kept in
/// .build/portal-lab.png for a person to look at.
@Suite(.serialized) struct PortalBrowserTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: projects, title: Make a project directory, version: 1.0.0}
        environment:
          network: none
          containers:
            - name: workstation
              image: nalabo/busybox:test
              shell: /bin/sh
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
        limits: {session: 30m}
        steps:
          - id: navigate
            title: Create ~/projects
            content: |
              # Create ~/projects

              Make the directory with `mkdir -p /root/projects`, then press **Check**.

              | command | does |
              |---|---|
              | `mkdir -p` | makes a directory and its parents |

              Or let the page type it (Run):

              ```sh run
              echo ran-$((6*8))
              ```
            challenges:
              - id: make-dir
                title: Create ~/projects
                hints: [Use mkdir -p.]
                checks: [{run: test -d /root/projects, points: 5, fail_message: /root/projects does not exist yet}]
                solve: {run: mkdir -p /root/projects}
              - id: cd-home
                title: Leave a marker
                checks: [{run: test -f /root/marker, points: 3}]
                solve: {run: touch /root/marker}
        """

    static var browserAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
    }

    @Test(.enabled(if: browserAvailable, "not run: chromium and chromium-driver are not installed (scripts/install-system-packages installs them)"))
    func aLearnerDoesTheWholeLabInABrowserAndTheInstructorSeesIt() async throws {
        try await PortalHarness.with(backend: try await DockerBackend.connect()) { portal in
            try portal.learner("alice", role: .user)
            try portal.cluster.asOwner().setPlan("alice", to: "pro")
            let files = try TemporaryDirectory()
            try files.write("projects/workshop.yaml", Self.spec)
            _ = try portal.cluster.as("alice").publish(try #require(SpecLoader(plan: nil).load(path: files.path + "/projects/workshop.yaml").workshop))
            var event = EventDefinition(name: "class", workshops: ["alice/projects"], capacity: 30)
            event.sessionSeconds = 1200
            event.deadlineSeconds = 3600
            event.accessCode = "k8s-rocks"
            try portal.cluster.asOwner().createEvent(event)
            try portal.learner("bob")

            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            let build = root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build")
            try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
            let screenshot = build.appendingPathComponent("portal-lab.png").path
            let result = try await Nalabo.executeProcess("/usr/bin/python3", [
                root.appendingPathComponent("Browser/learner_flow.py").path, portal.base, "class", "k8s-rocks",
                "bob", "secret-bob", "alice", "secret-alice", screenshot,
            ])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("learner flow passed"), "\(result.stdout)")
            #expect(FileManager.default.fileExists(atPath: screenshot))
            // What the browser did is in the catalogue: a verified session, completed (one passed, one solved).
            let row = try portal.cluster.superuserConnection().execute(
                "SELECT status, score, grading FROM nalabo.workshop_sessions ORDER BY started_at DESC LIMIT 1").records.first
            #expect(row?["status"] == "completed" && row?["score"] == "5" && row?["grading"] == "verified", "\(String(describing: row))")
            // Ending it in the browser removed its containers and its local record.
            let remaining = await portal.server.labs.store.all().sessions
            #expect(remaining.isEmpty, "\(remaining.map(\.id))")
            let docker = try await DockerBackend.connect()
            for record in remaining { print("teardown problems: \(await docker.teardown(record.id))") }
        }
    }
}
