import Foundation
import Testing
@testable import Runtime
import WorkshopSpec

/// Scripts in real containers: delivery, timeouts, output limits, interpreters, users.
@Suite struct ScriptRunnerTests {
    static let spec = busyboxSpec(challenges: """
              - id: hang
                title: Hangs
                checks:
                  - run: "sleep 1000 & sleep 1000; echo never"
                    timeout: 2s
              - id: chatty
                title: Prints a lot
                checks:
                  - run: "yes 0123456789abcdef | head -c 1000000; echo done >&2"
              - id: secret
                title: Never on disk
                checks:
                  - run: "echo unique-marker-3f9c1d7e; cat >/dev/null; echo stdin-was-empty"
              - id: who
                title: Runs as the check says
                checks:
                  - run: 'echo "$(id -u) $(pwd) $GREETING"'
                    user: nobody
                    workdir: /tmp
                    env: {GREETING: bonjour}
                    expect: {stdout: "65534 /tmp bonjour"}
        """)

    @Test func aHangingCheckTimesOutOnTimeAndLeavesNothingRunning() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        try await lab.withSession(engine) { session in
            // Through the command line, in a process of its own, as a learner runs it.
            let check = try await lab.nalabo(["check", "hang", "--session", session.id, "--format", "json"])
            #expect(check.status == 1)
            let report = try JSONDecoder().decode(GradeReport.self, from: Data(check.stdout.utf8))
            let result = try #require(report.challenges.first?.checks.first)
            #expect(result.timedOut && !result.passed)
            #expect(result.reason == "timed out after 2s; its processes were stopped")
            // Reported within the timeout plus one second of the check's start.
            #expect(result.seconds < 3.0, "took \(result.seconds) s")
            #expect(!result.stdout.contains("never") && !result.stderr.contains("nalabo:timeout"))
            let left = try await lab.shell(engine, session, "ps -o args= | grep -c '^sleep 1000' || true").stdout.text
            #expect(left == "0\n")
            // The session is still usable.
            #expect(try await lab.shell(engine, session, "echo ok").stdout.text == "ok\n")
        }
    }

    /// docs/runtime.md's bound for batched checks: a round is reported at the latest 3 s after its longest
    /// timeout, each check with its own result, and the next round starts after it.
    @Test func aHangingCheckInABatchIsReportedWithinItsTimeoutPlusThreeSeconds() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(challenges: """
              - id: hang
                title: Hangs
                checks: [{run: "sleep 1000 & sleep 1000", timeout: 2s}]
              - id: quick
                title: Quick, then a second round
                checks: [{run: "true"}, {run: "date +%s"}]
        """))
        try await lab.withSession(engine) { session in
            let workshop = try lab.workshop()
            let clock = ContinuousClock()
            let started = clock.now
            let report = try await Grader(backend: DockerBackend(engine: engine), store: lab.store).check(session, workshop: workshop)
            let elapsed = clock.now - started
            let hang = try #require(report.challenges.first { $0.id == "hang" }?.checks.first)
            let quick = try #require(report.challenges.first { $0.id == "quick" })
            #expect(hang.timedOut && !hang.passed && hang.reason == "timed out after 2s; its processes were stopped")
            #expect(quick.state == .passed && quick.checks.count == 2, "the quick one keeps its own result")
            // Round one shares one exec: the quick check waited for the hanging one, which was reported within 2 s
            // + 3 s of the exec's start (the engine's time to start an exec, on a loaded machine, comes on top:
            // generous here, where without the bound it would take 1000 s).
            #expect(hang.seconds < 5.0 + 25 && quick.checks[0].seconds == hang.seconds, "\(hang.seconds) \(quick.checks[0].seconds)")
            // Round two started after round one: its own time is short, the whole check took both.
            #expect(quick.checks[1].seconds < hang.seconds && elapsed.seconds >= hang.seconds)
            let left = try await lab.shell(engine, session, "ps -o args= | grep -c '^sleep 1000' || true").stdout.text
            #expect(left == "0\n")
        }
    }

    @Test func outputIsCappedPerStream() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        try await lab.withSession(engine) { session in
            let workshop = try lab.workshop()
            let check = try #require(workshop.challenge("chatty")?.checks.first)
            let container = try #require(workshop.container("box"))
            let outcome = try await ScriptRunner(backend: DockerBackend(engine: engine), record: session).run(check.script, container: container, sweep: true)
            #expect(outcome.exitCode == 0)
            #expect(outcome.stdout.bytes.count == 64 * 1024)
            #expect(outcome.stdout.droppedBytes == 1_000_000 - 64 * 1024)
            #expect(outcome.stderr.text == "done\n")
        }
    }

    @Test func checksArriveAsArgumentsAndAreNeverWrittenIntoTheContainer() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        try await lab.withSession(engine) { session in
            let result = try #require(try await lab.runCheck(engine, session, challenge: "secret").first)
            #expect(result.stdout == "unique-marker-3f9c1d7e\nstdin-was-empty\n")
            // Search every file of the container (not /proc or /sys) for the check's text.
            // Every file of the container's own file system (-xdev: not /proc, /sys or /dev).
            let found = try await lab.shell(engine, session, "find / -xdev -type f -exec grep -l unique-marker-3f9c1d7e {} + ; echo searched")
            #expect(found.stdout.text == "searched\n", "\(found.stdout.text)")
        }
    }

    @Test func userWorkdirAndEnvironmentOfAScriptApply() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.spec)
        try await lab.withSession(engine) { session in
            let result = try #require(try await lab.runCheck(engine, session, challenge: "who").first)
            #expect(result.passed, "\(result.stdout) \(result.stderr)")
        }
    }

    @Test func shebangsChooseTheInterpreterAndLongScriptsArriveWhole() async throws {
        let engine = try await TestEngine.connect()
        let padding = String(repeating: "# padding so the script needs several arguments\n", count: 4000)
        let lab = try Lab(busyboxSpec(containers: """
                - name: py
                  image: python:3.12-slim
            """, challenges: """
                  - id: python
                    title: Python
                    checks:
                      - script: checks/check.py
                        expect: {stdout: "python 42 True"}
            """), files: ["checks/check.py": "#!/usr/bin/env python3\n\(padding)import sys\nprint('python', 6 * 7, sys.stdin.read() == '')\n"])
        try await lab.withSession(engine) { session in
            let result = try #require(try await lab.runCheck(engine, session, challenge: "python").first)
            #expect(result.passed, "\(result.reason ?? "") \(result.stdout) \(result.stderr)")
        }
    }
}

extension ScriptRunnerTests {
    static let batchSpec = busyboxSpec(slug: "batch", challenges: """
              - id: loud
                title: Loud
                checks: [{run: "yes 0123456789 | head -c 200000; echo done >&2"}]
              - id: slow
                title: Slow
                checks: [{run: "sleep 100", timeout: 1s}]
              - id: sad
                title: Sad
                checks: [{run: "echo 'FAIL: no' ; echo oops >&2; exit 3"}]
              - id: nobody
                title: Runs as nobody
                checks: [{run: "id -u", user: nobody}]
        """)

    @Test func checksOfSeveralChallengesShareOneExecAndKeepTheirOwnResults() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(Self.batchSpec)
        try await lab.withSession(engine) { session in
            let workshop = try lab.workshop()
            let container = try #require(workshop.container("box"))
            let items = workshop.challenges.map { ScriptRunner.BatchItem(script: $0.checks[0].script, sweep: true) }
            let outcomes = try await ScriptRunner(backend: DockerBackend(engine: engine), record: session).runBatch(items, container: container)
            #expect(outcomes.count == 4)
            #expect(outcomes[0].exitCode == 0 && outcomes[0].stdout.bytes.count == 64 * 1024)
            // In a batch, output is counted up to twice the limit (the files are capped): truncated, not exact.
            #expect(outcomes[0].stdout.isTruncated && outcomes[0].stderr.text.hasSuffix("done\n"), "\(outcomes[0].stderr.text)")
            #expect(outcomes[1].timedOut && outcomes[1].exitCode == nil)
            #expect(outcomes[2].exitCode == 3 && outcomes[2].stdout.text == "FAIL: no\n" && outcomes[2].stderr.text == "oops\n", "\(outcomes[2].stderr.text.debugDescription)")
            // A check with another user runs in an exec of its own, as that user.
            #expect(outcomes[3].exitCode == 0 && outcomes[3].stdout.text == "65534\n")
            // Nothing is left: no process of the runs, and no temporary directory.
            let left = try await lab.shell(engine, session, "ps -o args= | grep -c '^sleep 100' ; ls /dev/shm /tmp | grep -c nalabo")
            #expect(left.stdout.text == "0\n0\n", "\(left.stdout.text)")
        }
    }
}

extension ScriptRunnerTests {
    @Test func manyLongChecksAreSplitBelowTheCommandLineLimit() async throws {
        let engine = try await TestEngine.connect()
        // 40 checks of 100 KiB each: 4 MB of text, twice what one command line may hold.
        let padding = String(repeating: "# a long comment that makes the check large\n", count: 2400)
        var files: [String: String] = [:]
        var challenges = ""
        for index in 0..<40 {
            files["checks/c\(index).sh"] = padding + "echo check-\(index)\n"
            challenges += """
                      - id: c\(index)
                        title: C\(index)
                        checks: [{script: checks/c\(index).sh, expect: {stdout: check-\(index)}}]

                """
        }
        let lab = try Lab(busyboxSpec(slug: "long-checks", challenges: challenges, resources: "{cpus: 1, memory: 256Mi, pids: 256}"), files: files)
        try await lab.withSession(engine) { session in
            let workshop = try lab.workshop()
            let results = try await Grader(backend: DockerBackend(engine: engine), store: lab.store).runChecks(together: workshop.challenges, workshop: workshop, record: session)
            #expect(results.count == 40)
            #expect(results.values.allSatisfy { $0.count == 1 && $0[0].passed }, "\(results.values.flatMap { $0 }.filter { !$0.passed }.map { $0.reason ?? "" })")
        }
    }
}

extension ScriptRunnerTests {
    @Test func aTimeoutIsSeenBehindAFloodOfErrorOutput() async throws {
        let engine = try await TestEngine.connect()
        let lab = try Lab(busyboxSpec(slug: "flood", challenges: """
                  - id: flood
                    title: Flood
                    checks: [{run: "yes error >&2", timeout: 1s}]
                  - id: flood-two
                    title: Flood too
                    checks: [{run: "yes error >&2", timeout: 1s}]
                  - id: quick
                    title: Quick
                    checks: [{run: "echo fine"}]
            """))
        try await lab.withSession(engine) { session in
            let workshop = try lab.workshop()
            let container = try #require(workshop.container("box"))
            let runner = try ScriptRunner(backend: DockerBackend(engine: engine), record: session)
            // One exec of its own, and in a batch with a quick check that must not be dragged into the timeout.
            let alone = try await runner.run(try #require(workshop.challenge("flood")?.checks.first?.script), container: container, sweep: true)
            // Timed out, whether the marker came after 64 KiB of output (the usual case) or the client's deadline
            // came first on a loaded machine; the marker never shows as output.
            #expect(alone.timedOut && !alone.stderr.text.contains("nalabo:"),
                    "exit \(String(describing: alone.exitCode)) timedOut \(alone.timedOut) dropped \(alone.stderr.droppedBytes) tail \(String(decoding: alone.stderr.tail, as: UTF8.self).suffix(80))")
            let items = workshop.challenges.map { ScriptRunner.BatchItem(script: $0.checks[0].script, sweep: true) }
            let batch = try await runner.runBatch(items, container: container)
            // In a batch the output files are capped: the flood ends with a write error instead of filling the
            // container's memory, and the quick check beside it is unaffected.
            #expect(batch[0].stderr.isTruncated && batch[1].stderr.isTruncated)
            #expect(!batch[0].outOfMemory && !batch[0].stderr.text.contains("nalabo:"))
            #expect(batch[2].exitCode == 0 && batch[2].stdout.text == "fine\n", "\(batch.map { "\(String(describing: $0.exitCode)) \($0.timedOut) \($0.stderr.text.suffix(100))" })")
            #expect(try await lab.shell(engine, session, "echo alive").stdout.text == "alive\n")
        }
    }
}
