import Foundation
@testable import Runtime
import Testing
import WorkshopSpec

/// A workshop's `secrets:` on real Docker: given when the session starts (NALABO_SECRET_NAME or --secrets FILE),
/// seen by the container and its scripts, and nowhere else.
@Suite struct SecretTests {
    static let spec = busyboxSpec(containers: """
            - name: box
              image: \(TestEngine.busybox)
              shell: /bin/sh
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
              secrets: [DB_PASSWORD]
        """, challenges: """
              - id: knows
                title: The container knows the secret
                checks: [{run: 'test "$DB_PASSWORD" = "from-the-$(echo file)"'}]
                solve: {run: "true"}
        """)

    @Test func aSecretReachesTheContainerAndItsScriptsButNoRecordOrOutput() async throws {
        let lab = try Lab(Self.spec)
        let secrets = try TemporaryDirectory()
        try secrets.write("lab.env", "# the class's values\nexport DB_PASSWORD='from-the-file'\n")
        // The file wins over the environment.
        let environment = ["NALABO_SECRET_DB_PASSWORD": "from-the-environment"]
        let up = try await lab.nalabo(["up", lab.path, "--secrets", secrets.path + "/lab.env"], environment: environment)
        #expect(up.status == 0, "\(up.stderr)")
        let check = try await lab.nalabo(["check", "--format", "json"], environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let status = try await lab.nalabo(["status", "--format", "json"])
        let record = try #require(try lab.store.all().sessions.first)
        let stored = try String(contentsOfFile: lab.store.recordPath(record.id), encoding: .utf8) + (try lab.store.bundle(record.id))
        for text in [up.stdout, up.stderr, check.stdout, status.stdout, stored] {
            #expect(!text.contains("from-the-file"), "the secret's value leaked: \(text)")
        }
        #expect(try lab.store.bundle(record.id).contains("\"secrets\":[\"DB_PASSWORD\"]"), "the bundle names the secret")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test func aMissingSecretStopsUpBeforeAnythingStarts() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        var options = SessionProvisioner.Options(source: lab.path)
        options.secrets = SecretSource(environment: [:])
        await #expect(throws: SecretSource.Missing(names: ["DB_PASSWORD"], file: nil)) {
            try await SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store).up(try lab.workshop(), options: options)
        }
        #expect(try lab.store.all().sessions.isEmpty)
        let up = try await lab.nalabo(["up", lab.path])
        #expect(up.status == 2 && up.stderr.contains("set NALABO_SECRET_DB_PASSWORD in the environment, or give a file"), "\(up.stderr)")
    }
}
