import Foundation
import Testing
@testable import Runtime
import WorkshopSpec

/// The learner's commands, run as a learner runs them, against the real engine.
@Suite struct SessionCommandTests {
    static let lesson = busyboxSpec(slug: "lesson", challenges: """
              - id: make-file
                title: Make a file
                hints: [Use touch., "touch /tmp/done"]
                checks:
                  - name: file-exists
                    run: 'test -f /tmp/done || { echo "FAIL: /tmp/done is missing"; exit 1; }'
                    points: 5
                    fail_message: Create /tmp/done.
                solve: {run: touch /tmp/done}
              - id: fill-file
                title: Fill it
                needs: [make-file]
                checks:
                  - run: grep -q hello /tmp/done
                    points: 3
                solve: {run: echo hello > /tmp/done}
        """)

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    @Test func aLearnerGoesUpChecksGetsHintsSolvesAndGoesDown() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.lesson)
        let up = try await lab.nalabo(["up", lab.path, "--format", "json"])
        #expect(up.status == 0, "\(up.stderr)")
        let ready = try Self.json(try #require(up.stdout.split(separator: "\n").last.map(String.init)))
        #expect(ready["event"] as? String == "ready")
        let session = try #require((ready["session"] as? [String: Any])?["id"] as? String)
        #expect(try await objects(of: session, on: engine).count == 1)

        let first = try await lab.nalabo(["check"])
        #expect(first.status == 1)
        #expect(first.stdout.contains("✗ make-file — Make a file: not yet (attempt 1)"))
        #expect(first.stdout.contains("✗ file-exists (0/5): exited with status 1"))
        #expect(first.stdout.contains("        Create /tmp/done.\n        /tmp/done is missing\n"))
        #expect(first.stdout.contains("hint 1: Use touch.") && !first.stdout.contains("hint 2"))
        #expect(first.stdout.contains("🔒 fill-file — Fill it: locked until make-file is complete"))
        let second = try await lab.nalabo(["check", "make-file"])
        #expect(second.stdout.contains("hint 2: touch /tmp/done"))

        // The learner does the work in the container; the second challenge unlocks and passes in the same run.
        _ = try await lab.shell(engine, try #require(lab.store.load(session)), "echo hello > /tmp/done")
        let passed = try await lab.nalabo(["check", "--format", "json"])
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        let report = try Self.json(passed.stdout)
        #expect(report["score"] as? Int == 8)
        #expect(report["maxScore"] as? Int == 8)
        #expect((report["challenges"] as? [[String: Any]])?.map { $0["state"] as? String } == ["passed", "passed"])

        let status = try Self.json(try await lab.nalabo(["status", "--format", "json"]).stdout)
        #expect(status["score"] as? Int == 8)
        #expect((status["containers"] as? [[String: Any]])?.first?["state"] as? String == "running")
        let instructions = try await lab.nalabo(["instructions", "1", "--color", "never"])
        #expect(instructions.stdout.hasPrefix("Step 1/1: The only step\n\nDo the thing.\n"))
        #expect(try await lab.nalabo(["instructions", "9"]).status == 7)

        let down = try await lab.nalabo(["down"])
        #expect(down.status == 0 && down.stdout == "removed session \(session) (lesson@1.0.0)\n")
        #expect(try await objects(of: session, on: engine).isEmpty)
        #expect(try await lab.nalabo(["check"]).status == 7)
    }

    @Test func solveMarksAChallengeSkippedWithNoPoints() async throws {
        let lab = try Lab(Self.lesson)
        #expect(try await lab.nalabo(["up", lab.path, "-q"]).status == 0)
        let solve = try await lab.nalabo(["solve", "make-file"])
        #expect(solve.status == 0 && solve.stdout.contains("marked skipped, no more points"))
        let check = try await lab.nalabo(["check", "--format", "json"])
        let report = try Self.json(check.stdout)
        #expect(report["score"] as? Int == 0)
        let status = try await lab.nalabo(["status", "--color", "never"])
        #expect(status.stdout.contains("make-file: ↷ solved with nalabo solve"))
        #expect(try await lab.nalabo(["solve", "no-such"]).status == 7)
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test func anExpiredSessionRefusesGrading() async throws {
        let lab = try Lab(Self.lesson)
        let id = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try lab.store.update(id) { $0.expiresAt = Date(timeIntervalSinceNow: -5) }
        let check = try await lab.nalabo(["check"])
        #expect(check.status == 4)
        #expect(check.stderr.contains("session \(id) expired") && check.stderr.contains("nalabo up"))
        #expect(try await lab.nalabo(["solve", "make-file"]).status == 4)
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test func sessionsSideBySideNeverCollide() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.lesson)
        let starts = try (0..<3).map { _ in try Nalabo.start(["up", lab.path, "-q"], environment: lab.environment) }
        var ids: [String] = []
        for start in starts {
            let result = try await start.finished()
            #expect(result.status == 0, "\(result.stderr)")
            ids.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(Set(ids).count == 3)
        let ambiguous = try await lab.nalabo(["check"])
        #expect(ambiguous.status == 2 && ambiguous.stderr.contains("there are 3 sessions; choose one with --session ID"))
        let listed = try await lab.nalabo(["sessions"]).stdout
        #expect(ids.allSatisfy { listed.contains($0) })
        #expect(try await lab.nalabo(["check", "--session", String(ids[0].prefix(6))]).status == 1)
        #expect(try await lab.nalabo(["down", "--all", "-q"]).status == 0)
        for id in ids { #expect(try await objects(of: id, on: engine).isEmpty) }
    }

    @Test func aFailingSetupShowsItsOutputAndLeavesNothingUnlessAskedTo() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(slug: "broken-setup", setup: """
              setup:
                - run: "echo preparing; echo 'cannot find /data' >&2; exit 3"
            """))
        let up = try await lab.nalabo(["up", lab.path])
        #expect(up.status == 1)
        #expect(up.stderr.contains("setup failed in container box: the script at line 12 exited with status 3"), "\(up.stderr)")
        #expect(up.stderr.contains("  | preparing") && up.stderr.contains("  | cannot find /data"))
        #expect(lab.store.all().sessions.isEmpty)
        #expect(try await engine.containers(labelled: "\(DockerLayout.Label.workshop)=broken-setup@1.0.0").isEmpty)

        let kept = try await lab.nalabo(["up", lab.path, "--keep-on-failure"])
        #expect(kept.status == 1 && kept.stderr.contains("was kept for inspection"))
        let session = try #require(lab.store.all().sessions.first)
        let keptObjects = try await objects(of: session.id, on: engine)
        #expect(session.status == .failed && !keptObjects.isEmpty)
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
        #expect(try await objects(of: session.id, on: engine).isEmpty)
    }

    @Test func anUnreachableDaemonAndAMissingImageAreExplained() async throws {
        let lab = try Lab(Self.lesson)
        let unreachable = try await lab.nalabo(["up", lab.path], environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains("the Docker daemon at unix:///nonexistent/docker.sock (DOCKER_HOST) is unreachable (no socket there)"))
        #expect(unreachable.stderr.contains("DOCKER_HOST"))

        let engine = try await TestEngine.connect()
        // A registry on loopback where nothing listens: the pull fails at once, and no traffic leaves the machine.
        let missing = try Lab(busyboxSpec(slug: "missing-image", containers: """
                - name: box
                  image: 127.0.0.1:9/nalabo/not-built-here:1.0
            """))
        let up = try await missing.nalabo(["up", missing.path])
        #expect(up.status == 2)
        #expect(up.stderr.contains("the image 127.0.0.1:9/nalabo/not-built-here:1.0 is not on this machine and could not be pulled"))
        #expect(up.stderr.contains("scripts/offline-images"))
        #expect(missing.store.all().sessions.isEmpty)
        #expect(try await engine.containers(labelled: "\(DockerLayout.Label.workshop)=missing-image@1.0.0").isEmpty)
    }

    @Test func interruptingUpRemovesWhatItHadCreated() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(slug: "slow-setup", setup: slowSetup))
        let up = try Nalabo.start(["up", lab.path], environment: lab.environment)
        // Wait until the container exists and setup runs, then press Ctrl-C.
        let id = try await waitForSession(labelled: "\(DockerLayout.Label.workshop)=slow-setup@1.0.0", on: engine)
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock()
        let pressed = clock.now
        up.signal(SIGINT)
        let result = try await up.finished()
        // Cancellation reaches the running script: `up` does not wait out the 60 s setup (nor its 2 m timeout).
        #expect(clock.now - pressed < .seconds(20), "up took \(clock.now - pressed) to stop after Ctrl-C")
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        #expect(try await objects(of: id, on: engine).isEmpty)
        #expect(lab.store.all().sessions.isEmpty)
    }

    @Test func statusAgainstAnUnreachableEngineExitsThree() async throws {
        let lab = try Lab(busyboxSpec(slug: "status-unreachable"))
        let id = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let real = try #require(try lab.store.load(id)).backend
        // The engine the session was started on no longer answers.
        try lab.store.update(id) { $0.backend.address = "unix:///tmp/nalabo-no-engine-\(id).sock" }
        let status = try await lab.nalabo(["status", "--session", id])
        #expect(status.status == 3, "\(status.stdout)\(status.stderr)")
        #expect(status.stderr.contains("unreachable") && !status.stdout.contains("missing"), "\(status.stdout)\(status.stderr)")
        try lab.store.update(id) { $0.backend = real }
        #expect(try await lab.nalabo(["down", "--session", id, "-q"]).status == 0)
    }

    @Test func pruneRemovesOrphansAndExpiredSessionsFoundByLabel() async throws {
        let engine = try await TestEngine.connect()
        // Its own workshop, because pruning with a clock 31 minutes ahead would expire every test's sessions.
        let lab = try Lab(Self.lesson.replacingOccurrences(of: "slug: lesson", with: "slug: prune-fixture"))
        let orphan = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let expired = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let kept = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try lab.store.remove(orphan)

        // Expiry is read from the engine's label, so prune with a later clock through the library.
        let pruner = SessionPruner(provisioner: SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store))
        let later = Date(timeIntervalSinceNow: 31 * 60)
        let plan = try await pruner.prune(now: Date(), dryRun: true, workshop: "prune-fixture")
        #expect(plan.contains { $0.session == orphan && $0.reason == .orphaned })
        #expect(!plan.contains { $0.session == expired || $0.session == kept })

        let dry = try await lab.nalabo(["prune", "--dry-run", "--workshop", "prune-fixture"])
        #expect(dry.status == 0 && dry.stdout.contains("would remove orphaned session \(orphan)"))
        let orphanObjects = try await objects(of: orphan, on: engine)
        #expect(!orphanObjects.isEmpty)
        let pruned = try await lab.nalabo(["prune", "--workshop", "prune-fixture"])
        #expect(pruned.status == 0 && pruned.stdout.contains("removed orphaned session \(orphan)"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(try await objects(of: orphan, on: engine).isEmpty)

        let expiredNow = try await pruner.prune(now: later, workshop: "prune-fixture")
        #expect(Set(expiredNow.map(\.session)).isSuperset(of: [expired, kept]))
        #expect(expiredNow.allSatisfy { $0.problems.isEmpty })
        #expect(try await objects(of: expired, on: engine).isEmpty)
        #expect(try await objects(of: kept, on: engine).isEmpty)
        #expect(lab.store.all().sessions.isEmpty)
    }
}

extension SessionCommandTests {
    @Test func aContainerStoppedOrRemovedBehindNalabosBackIsExplained() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.lesson)
        let id = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let container = try #require(try lab.store.load(id)?.handle?.members.values.first)
        #expect(try await host("docker stop -t 0 \(container) >/dev/null").status == 0)
        let stopped = try await lab.nalabo(["check"])
        #expect(stopped.status == 2)
        #expect(stopped.stderr.contains("container box has stopped"), "\(stopped.stderr)")
        let status = try await lab.nalabo(["status", "--color", "never"])
        #expect(status.stdout.contains("box: exited (exit "), "\(status.stdout)")
        try await engine.removeContainer(container)
        let removed = try await lab.nalabo(["check"])
        #expect(removed.status == 7)
        #expect(removed.stderr.contains("container box") && removed.stderr.contains("removed outside nalabo?"), "\(removed.stderr)")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }
}

extension SessionCommandTests {
    @Test func containersStopByThemselvesWhenTheSessionExpires() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.lesson)
        var workshop = try lab.workshop()
        // Shorter than a spec may say (at least 1m), to see the end without waiting for it.
        workshop.limits.session = SpecDuration(seconds: 60)  // a loaded machine's `up` can take a while
        let session = try await SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store).up(workshop, options: .init(source: lab.path))
        let container = try #require(session.handle?.members[session.containers[0].name])
        // Running while time is left (a loaded machine may take a while to get here).
        if session.expiresAt.timeIntervalSinceNow > 1 {
            #expect(try await engine.inspectContainer(container).running)
        }
        try await Task.sleep(until: .now + .seconds(session.expiresAt.timeIntervalSinceNow + 2), clock: .continuous)
        #expect(try await !engine.inspectContainer(container).running)
        await #expect(throws: Grader.SessionExpired.self) {
            try await Grader(backend: DockerBackend(engine: engine), store: lab.store).check(session, workshop: workshop)
        }
        await lab.down(engine, session)
    }
}

extension SessionCommandTests {
    @Test func pruneLeavesAnotherMachinesSessionsAlone() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.lesson)
        let session = "other" + String(UUID().uuidString.prefix(5)).lowercased()
        // A session another machine (a CI runner sharing this engine) started: its state file is not here.
        let labels = [DockerLayout.Label.session: session, DockerLayout.Label.workshop: "foreign@1.0.0",
                      DockerLayout.Label.expiresAt: "2099-01-01T00:00:00Z", DockerLayout.Label.host: "another-machine",
                      DockerLayout.Label.stateFile: "/nonexistent/\(session)/session.json"]
        let id = try await engine.createContainer(ContainerSpec(
            name: "nalabo-\(session)-box", image: TestEngine.busybox, hostname: "box", command: ["sleep", "60"], user: nil,
            workdir: nil, env: [], labels: labels, network: "none", aliases: [], ports: [],
            limits: ContainerLimits(memoryBytes: 32 << 20, nanoCPUs: 250_000_000, pids: 16), capabilities: [],
            readOnlyRootFilesystem: true))
        // The same, labelled with this machine, is an orphan here.
        var local = labels
        local[DockerLayout.Label.session] = session + "l"
        local[DockerLayout.Label.host] = SessionMetadata.hostName
        let localID = try await engine.createContainer(ContainerSpec(
            name: "nalabo-\(session)l-box", image: TestEngine.busybox, hostname: "box", command: ["sleep", "60"], user: nil,
            workdir: nil, env: [], labels: local, network: "none", aliases: [], ports: [],
            limits: ContainerLimits(memoryBytes: 32 << 20, nanoCPUs: 250_000_000, pids: 16), capabilities: [],
            readOnlyRootFilesystem: true))
        let pruner = SessionPruner(provisioner: SessionProvisioner(backend: DockerBackend(engine: engine), store: lab.store))
        let plan = try await pruner.prune(dryRun: true, workshop: "foreign")
        #expect(plan.map(\.session) == [session + "l"] && plan.first?.reason == .orphaned, "\(plan)")
        try await engine.removeContainer(id)
        try await engine.removeContainer(localID)
    }
}

extension SessionCommandTests {
    @Test func aMistypedPathIsReportedAsAPathNotAsACatalogueAddress() async throws {
        let lab = try Lab(Self.lesson)
        // "examples/linux-basic" also parses as OWNER/SLUG, but its first directory exists here.
        let result = try await Nalabo.execute(["up", "examples/linux-basic"], in: packageRoot, environment: lab.environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("'examples/linux-basic' does not exist"), "\(result.stderr)")
    }
}
