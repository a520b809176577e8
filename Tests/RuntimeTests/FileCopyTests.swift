import Foundation
@testable import Runtime
import Testing
import TestSupport
import WorkshopSpec

/// `files:` on real Docker (docs/spec.md, "Files"): a container's files are there when it starts, a step's once
/// it is entered, a challenge's once it starts — with their bytes, modes and owners — and `nalabo test` copies
/// them at the same points of the lifecycle.
@Suite struct FileCopyTests {
    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: files, title: Files, version: 1.0.0}
        environment:
          network: none
          containers:
            - name: box
              image: \(TestEngine.busybox)
              user: "1000:1000"
              resources: {cpus: 0.5, memory: 64Mi, pids: 64}
              files:
                - {content: "welcome\\n", target: /etc/motd-nalabo, mode: "0600"}
                - {source: assets/blob.bin, target: /srv/blob.bin, owner: "1000:1000"}
                - {source: assets/data.tar.gz, target: /srv/data, extract: true, owner: "1000"}
          setup:
            - {run: "cat /srv/data/inner/x.txt > /tmp/seen-by-setup", user: "0"}
        steps:
          - id: one
            title: One
            content: Do the thing.
            files:
              - {content: "step one\\n", target: /home/learner/step.txt, owner: "1000:1000"}
            challenges:
              - id: a
                title: Read the task
                files:
                  - {content: "task a\\n", target: /home/learner/a.txt, mode: "0640", owner: "1000:1000"}
                checks:
                  - run: test -f /tmp/a
                  - name: files-arrived
                    run: |
                      test "$(stat -c '%a %u:%g' /etc/motd-nalabo /srv/blob.bin /srv/data/inner/x.txt /home/learner/a.txt | tr '\\n' ' ')" = "600 0:0 644 1000:1000 644 1000:1000 640 1000:1000 "
                solve: {run: touch /tmp/a}
              - id: b
                title: Then b
                needs: [a]
                files:
                  - {content: "task b\\n", target: /home/learner/b.txt}
                checks: [{run: "grep -q 'task b' /home/learner/b.txt && test -f /tmp/b"}]
                solve: {run: touch /tmp/b}
        """

    static func lab() async throws -> Lab {
        let lab = try Lab(spec)
        try lab.files.write("assets/blob.bin", bytes: Array(0...255) + Array(0...255))
        try lab.files.write("src/inner/x.txt", "inside the archive\n")
        let packed = try await host("cd \(lab.path) && tar -czf assets/data.tar.gz -C src . && rm -r src")
        #expect(packed.status == 0, "\(packed.stderr)")
        return lab
    }

    @Test func filesArriveWithTheirBytesModesAndOwnersWhenTheLifecycleReachesThem() async throws {
        let engine = try await TestEngine.connect()
        let lab = try await Self.lab()
        let workshop = try lab.workshop()
        let grader = Grader(backend: DockerBackend(engine: engine), store: lab.store)
        try await lab.withSession(engine) { session in
            let stat = "stat -c '%a %u:%g %n' /etc/motd-nalabo /srv/blob.bin /srv/data /srv/data/inner/x.txt /home/learner/step.txt /home/learner/a.txt"
            let listed = try await lab.shell(engine, session, stat)
            #expect(listed.stdout.text == """
                600 0:0 /etc/motd-nalabo
                644 1000:1000 /srv/blob.bin
                755 1000:1000 /srv/data
                644 1000:1000 /srv/data/inner/x.txt
                644 1000:1000 /home/learner/step.txt
                640 1000:1000 /home/learner/a.txt

                """, "\(listed.stderr.text)")
            let blob = try await lab.shell(engine, session, "od -An -tx1 -v /srv/blob.bin | tr -d ' \\n'")
            #expect(blob.stdout.text == (Array(0...255) + Array(0...255)).map { String(format: "%02x", $0) }.joined())
            // The container's files were there before the environment's setup ran.
            #expect(try await lab.shell(engine, session, "cat /tmp/seen-by-setup").stdout.text == "inside the archive\n")
            // b has not started: its file is not there yet; once a is done, b starts and it is.
            #expect(try await lab.shell(engine, session, "test -e /home/learner/b.txt").exitCode == 1)
            let solved = try await grader.solve(session, workshop: workshop, challenge: "a")
            #expect(solved.succeeded)
            _ = try await grader.check(session, workshop: workshop)
            #expect(try await lab.shell(engine, session, "cat /home/learner/b.txt").stdout.text == "task b\n")
            let record = try #require(try lab.store.load(session.id))
            #expect(record.lifecycle?.ran.compactMap(\.files) == [3, 1, 1, 1], "\(record.lifecycle?.ran.map(\.description) ?? [])")
        }
        let run = try await WorkshopTester(provisioner: SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store))
            .test(workshop, source: lab.path)
        #expect(run.passed, "\(run.challenges.map { "\($0.challenge): \($0.problem ?? "ok")" }) \(run.sessionProblem ?? "")")
        #expect(run.lifecycle.compactMap(\.files) == [3, 1, 1, 1])
    }

    /// A one-container spec whose container copies one file (`item`, a `files:` entry in flow style).
    static func box(copying item: String) -> String {
        busyboxSpec(containers: """
                - name: box
                  image: \(TestEngine.busybox)
                  resources: {cpus: 0.5, memory: 64Mi, pids: 64}
                  files: [\(item)]
        """)
    }

    @Test func anArchiveGoesIntoAnExistingDirectoryAsItIsAndAFileNeverReplacesADirectory() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.box(copying: "{source: data.tar.gz, target: /tmp, extract: true}"))
        try lab.files.write("src/inner/x.txt", "inside\n")
        // With a "./" entry of mode 0700, which must not become /tmp's.
        #expect(try await host("cd \(lab.path) && chmod 0700 src && tar -czf data.tar.gz -C src . && rm -r src").status == 0)
        try await lab.withSession(engine) { session in
            let listed = try await lab.shell(engine, session, "stat -c '%a' /tmp && cat /tmp/inner/x.txt")
            #expect(listed.stdout.text == "1777\ninside\n", "/tmp keeps its mode: \(listed.stdout.text)\(listed.stderr.text)")
        }
        let onDirectory = try Lab(Self.box(copying: "{content: x, target: /etc}"))
        await #expect {
            _ = try await onDirectory.up(engine)
        } throws: { error in
            error is FileCopyFailure && "\(error)".contains("/etc")
        }
        #expect(try onDirectory.store.all().sessions.isEmpty)
    }

    @Test func anArchiveThatIsNotOneFailsStartingAndSaysWhichFile() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.box(copying: "{source: notes.txt, target: /srv/notes, extract: true}"), files: ["notes.txt": "not an archive\n"])
        await #expect {
            _ = try await lab.up(engine)
        } throws: { error in
            let text = "\(error)"
            return error is FileCopyFailure && text.contains("/srv/notes") && text.contains("container box")
        }
        #expect(try lab.store.all().sessions.isEmpty, "a failed start removes the session")
    }
}
