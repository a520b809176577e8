import Foundation
import Testing
@testable import Runtime

/// docs/runtime.md's example messages are what nalabo prints: each is produced again here and compared.
@Suite struct RuntimeDocsTests {
    static func runtimeDocs() throws -> String {
        try String(contentsOfFile: packageRoot + "/docs/runtime.md", encoding: .utf8)
    }

    /// The ```text block that follows `marker` in docs/runtime.md.
    static func block(after marker: String) throws -> String {
        let parts = try runtimeDocs().components(separatedBy: marker)
        try #require(parts.count > 1, "docs/runtime.md has no \(marker)")
        let fenced = parts[1].components(separatedBy: "```text\n")
        try #require(fenced.count > 1, "no text block after \(marker)")
        return fenced[1].components(separatedBy: "```")[0]
    }

    @Test func theSetupFailureExampleIsTheRealOutput() async throws {
        // The setup's `run:` is on line 10, as the example says.
        let lab = try Lab("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: setup-fails, title: Setup fails, version: 1.0.0}
            environment:
              network: none
              containers:
                - name: box
                  image: debian:bookworm-slim
              setup:
                - run: echo preparing; ls /nonexistent
                  container: box
            steps:
              - id: one
                title: One
                content: Nothing to do.
                challenges:
                  - id: c
                    title: C
                    checks: [{run: "true"}]
                    solve: {run: "true"}
            """)
        let result = try await lab.nalabo(["up", lab.path, "--color", "never"])
        #expect(result.status == 1, "\(result.stderr)")
        let said = try #require(result.stderr.range(of: "error:").map { String(result.stderr[$0.lowerBound...]) }, "\(result.stderr)")
        #expect(said == (try Self.block(after: "**When setup fails**")))
        #expect(lab.store.all().sessions.isEmpty)
    }

    @Test func theNothingToGradeMessageIsTheRealOutput() async throws {
        let lab = try Lab(busyboxSpec(slug: "all-done", challenges: """
                  - id: only
                    title: Only
                    checks: [{run: test -f /tmp/done}]
                    solve: {run: touch /tmp/done}
            """))
        #expect(try await lab.nalabo(["up", lab.path, "-q"]).status == 0)
        #expect(try await lab.nalabo(["check", "only"]).status == 1)
        #expect(try await lab.nalabo(["solve", "only"]).status == 0)
        let check = try await lab.nalabo(["check", "--color", "never"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let lines = check.stdout.split(separator: "\n").map(String.init)
        let line = "nothing to grade: every challenge is complete"
        #expect(lines.contains(line), "\(check.stdout)")
        #expect(try Self.runtimeDocs().replacingOccurrences(of: "\n", with: " ").contains("`\(line)`"),
                "docs/runtime.md should quote `\(line)`")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }
}
