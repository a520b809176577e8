import Foundation
import Testing
@testable import Runtime
import WorkshopSpec

/// `nalabo run N`: a runnable block of the current step runs in its container as the learner typed it, on the
/// real engine; `instructions` shows the numbers it takes.
@Suite struct RunCommandTests {
    static let spec = busyboxSpec(slug: "runnable", challenges: """
              - id: made
                title: Make it
                content: |
                  Or fail on purpose:

                  ```sh run
                  echo "failing on purpose" >&2; exit 5
                  ```
                checks: [{run: "grep -qx made /tmp/made"}]
                solve: {run: echo made > /tmp/made}
        """).replacingOccurrences(of: "    content: Do the thing.\n", with: """
            content: |
              Make the file:

              ```sh run
              echo made > /tmp/made
              cat /tmp/made
              ```

        """)

    @Test func aBlockRunsInTheContainerAndItsStatusIsNalabos() async throws {
        let lab = try Lab(Self.spec)
        let up = try await lab.nalabo(["up", lab.path, "-q"])
        #expect(up.status == 0, "\(up.stderr)")
        let instructions = try await lab.nalabo(["instructions", "--color", "never"])
        #expect(instructions.stdout.contains("▶ nalabo run 1\n  │ echo made > /tmp/made") && instructions.stdout.contains("▶ nalabo run 2\n"),
                "\(instructions.stdout)")
        #expect(try await lab.nalabo(["run", "1", "--print"]).stdout == "echo made > /tmp/made\ncat /tmp/made\n")

        let first = try await lab.nalabo(["run", "1"])
        #expect(first.status == 0 && first.stdout == "made\n", "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.contains("box$ echo made > /tmp/made\nbox$ cat /tmp/made\n"), "\(first.stderr)")
        // It ran in the container: the learner's check now passes.
        #expect(try await lab.nalabo(["check"]).status == 0)

        let failing = try await lab.nalabo(["run", "2"])
        #expect(failing.status == 5 && failing.stdout.contains("failing on purpose"), "\(failing.status) \(failing.stdout)\(failing.stderr)")
        let missing = try await lab.nalabo(["run", "3"])
        #expect(missing.status == 7 && missing.stderr.contains("has 2 runnable blocks: choose 1 to 2"), "\(missing.stderr)")
        #expect(try await lab.nalabo(["down"]).status == 0)
    }
}
