import Foundation
import FoundationXML
import Testing
@testable import Runtime

/// `nalabo test` as an instructor's CI runs it.
@Suite struct TestCommandTests {
    @Test func everyExampleWorkshopIsSolvable() async throws {
        let state = try TemporaryDirectory()
        let report = state.path + "/junit.xml"
        let result = try await Nalabo.execute(["test", packageRoot + "/examples", "--junit", report, "--color", "never"],
                                    environment: ["XDG_STATE_HOME": state.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("all 4 runs passed"))
        let document = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: report)))
        #expect(try document.nodes(forXPath: "//testsuite").count == 4)
        #expect(try document.nodes(forXPath: "//failure").isEmpty)
        #expect((try document.nodes(forXPath: "//testcase").count) == 20)
        // Every session was removed.
        #expect(SessionStore(directory: URL(fileURLWithPath: state.path + "/nalabo/sessions")).all().sessions.isEmpty)
    }

    static let flawed = busyboxSpec(slug: "flawed", challenges: """
              - id: good
                title: Good
                setup: {run: rm -f /tmp/good}
                checks: [{run: test -f /tmp/good}]
                solve: {run: touch /tmp/good}
              - id: always-passes
                title: Checks that cannot fail
                checks: [{run: "true"}, {run: test -d /tmp}]
                solve: {run: "true"}
              - id: wrong-solution
                title: A solution that does not solve
                checks:
                  - name: has-answer
                    run: 'grep -q 42 /tmp/answer || { echo "FAIL: /tmp/answer does not say 42"; exit 1; }'
                solve: {run: echo 41 > /tmp/answer}
              - id: unsolved
                title: No solution
                checks: [{run: test -f /tmp/never}]
              - id: broken-setup
                title: Broken setup
                setup: {run: exit 9}
                checks: [{run: test -f /tmp/x}]
                solve: {run: touch /tmp/x}
        """)

    @Test func flawedChallengesFailWithTheReasonAndANonZeroExit() async throws {
        let lab = try Lab(Self.flawed)
        let junit = lab.state.path + "/report.xml"
        let result = try await lab.nalabo(["test", lab.path, "--junit", junit, "--color", "never"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("✓") && out.contains("good\n"))
        #expect(out.contains("always-passes — checks-before-solve: every check passes before the solution ran"))
        #expect(out.contains("wrong-solution — checks-after-solve: check has-answer fails after the solution ran: exited with status 1 — /tmp/answer does not say 42"))
        #expect(out.contains("unsolved — solve: the challenge has no `solve` script"))
        #expect(out.contains("broken-setup — setup: the script at line"))
        #expect(out.contains("exited with status 9"))
        #expect(out.contains("1 of 1 run failed"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"tests="5" failures="4""#))
        #expect(lab.store.all().sessions.isEmpty)
    }

    @Test func quietStillSaysWhatFailedAndAKeptSessionIsNamed() async throws {
        let lab = try Lab(busyboxSpec(slug: "kept", challenges: """
                  - id: fine
                    title: Fine
                    checks: [{run: test -f /tmp/fine}]
                    solve: {run: touch /tmp/fine}
                  - id: crlf
                    title: A reason written with CR line endings
                    checks:
                      - name: answer
                        run: 'test -f /tmp/answer || { printf "FAIL: no answer\\rwrite one\\r\\n"; exit 1; }'
                    solve: {run: "true"}
            """))
        let result = try await lab.nalabo(["test", lab.path, "-q", "--keep-on-failure", "--color", "never"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // Quiet: no passing line, but the failing one with its reason, on one line whatever its line endings.
        #expect(!lines.contains { $0.contains("kept/fine") }, "\(result.stdout)")
        #expect(lines.contains { $0.contains("kept/crlf — checks-after-solve:") && $0.contains("no answer write one") }, "\(result.stdout)")
        let kept = try #require(lines.first { $0.contains("was kept for inspection") }, "\(result.stdout)")
        let session = try #require(lab.store.all().sessions.first?.id)
        #expect(kept.contains("nalabo down --session \(session)"))
        #expect(try await lab.nalabo(["down", "--session", session, "-q"]).status == 0)
        #expect(lab.store.all().sessions.isEmpty)
    }

    @Test func repeatedRunsAndJSONForMachines() async throws {
        let lab = try Lab(busyboxSpec(slug: "repeatable", challenges: """
                  - id: only
                    title: Only
                    checks: [{run: test -f /tmp/done}]
                    solve: {run: touch /tmp/done}
            """))
        let result = try await lab.nalabo(["test", lab.path, "--repeat", "2", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try result.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(runs.map { $0["run"] as? Int } == [1, 2])
        #expect(Set(runs.compactMap { $0["session"] as? String }).count == 2, "each run has a fresh session")
        #expect(runs.allSatisfy { ($0["challenges"] as? [[String: Any]])?.first?["passed"] as? Bool == true })
        #expect(try await lab.nalabo(["test", lab.path, "--repeat", "0"]).status == 2)
    }

    @Test func plansAreEnforcedOnlyWhenAsked() async throws {
        let lab = try Lab(busyboxSpec(slug: "hungry", challenges: """
                  - id: only
                    title: Only
                    checks: [{run: test -f /tmp/done}]
                    solve: {run: touch /tmp/done}
            """, resources: "{cpus: 0.5, memory: 1Gi, pids: 64}"))
        let limited = try await lab.nalabo(["up", lab.path, "--plan", "free"])
        #expect(limited.status == 1)
        #expect(limited.stderr.contains("[plan-limit]"))
        #expect(try await lab.nalabo(["test", lab.path, "--plan", "free", "-q"]).status == 1)
        #expect(try await lab.nalabo(["test", lab.path, "--plan", "pro", "-q"]).status == 0)
        let unlimited = try await lab.nalabo(["up", lab.path, "-q"])
        #expect(unlimited.status == 0, "\(unlimited.stderr)")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }
}
