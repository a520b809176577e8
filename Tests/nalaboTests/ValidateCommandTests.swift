import Foundation
import Testing

/// `nalabo validate` as instructors and CI run it: output and exit code together.
@Suite struct ValidateCommandTests {
    @Test(arguments: ["text", "json", "github", "sarif"])
    func everyFormatIsPinnedByAGoldenFile(_ format: String) throws {
        let result = try Nalabo.run(["validate", "broken", "--format", format], in: goldenDirectory)
        #expect(result.status == 1)
        #expect(result.stderr == "")
        try expectGolden(result.stdout, "broken.\(format)")
    }

    @Test func jsonOutputHasTheDocumentedShape() throws {
        let result = try Nalabo.run(["validate", "broken", "valid", "--format", "json"], in: goldenDirectory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["files": 2, "valid": 1, "errors": 7, "warnings": 2])
        let first = try #require((object["diagnostics"] as? [[String: Any]])?.first)
        #expect(Set(first.keys).isSuperset(of: ["file", "line", "column", "severity", "rule", "message"]))
    }

    @Test func validSpecExitsZero() throws {
        let result = try Nalabo.run(["validate", "valid"], in: goldenDirectory)
        #expect(result.status == 0)
        #expect(result.stdout == "1 file checked: 0 errors, 0 warnings\n")
    }

    @Test func warningsPassUnlessStrict() throws {
        let directory = try TemporaryDirectory()
        let spec = try String(contentsOfFile: goldenDirectory + "/valid/workshop.yaml", encoding: .utf8)
            .replacing("image: debian:bookworm-slim", with: "image: debian")
        try directory.write("workshop.yaml", spec)
        try directory.write("steps/first-file.md", "# Hi\n")
        try directory.write("checks/says-hello.sh", "true\n")
        let relaxed = try Nalabo.run(["validate"], in: directory.path)
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.hasPrefix("workshop.yaml:16:14: warning: image 'debian' is not pinned to a version [unpinned-image]\n"))
        let strict = try Nalabo.run(["validate", "--strict"], in: directory.path)
        #expect(strict.status == 1)
    }

    @Test func planOptionChangesTheLimits() throws {
        let free = try Nalabo.run(["validate", "examples/two-containers"], in: packageRoot)
        #expect(free.status == 1)
        #expect(free.stdout.contains("container count 2 exceeds the free plan's limit of 1 per workshop [plan-limit]"))
        let pro = try Nalabo.run(["validate", "examples/two-containers", "--plan", "pro"], in: packageRoot)
        #expect(pro.status == 0)
    }

    @Test func treesAreSearchedSkippingHiddenAndBuildFolders() throws {
        let directory = try TemporaryDirectory()
        let spec = try String(contentsOfFile: goldenDirectory + "/valid/workshop.yaml", encoding: .utf8)
        for folder in ["a", "b/c", ".hidden", ".build/x", "d"] {
            try directory.write("\(folder)/workshop.yaml", "not: [valid\n")
        }
        for folder in ["a", "b/c"] {
            try directory.write("\(folder)/workshop.yaml", spec)
            try directory.write("\(folder)/steps/first-file.md", "# Hi\n")
            try directory.write("\(folder)/checks/says-hello.sh", "true\n")
        }
        try FileManager.default.moveItem(atPath: directory.path + "/d/workshop.yaml", toPath: directory.path + "/d/workshop.yml")
        let result = try Nalabo.run(["validate", "--format", "json"], in: directory.path)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let files = Set(((object["diagnostics"] as? [[String: Any]]) ?? []).compactMap { $0["file"] as? String })
        #expect(files == ["d/workshop.yml"])
        #expect((object["summary"] as? [String: Int])?["files"] == 3)
    }

    @Test func missingPathExitsTwoWithAMessage() throws {
        let result = try Nalabo.run(["validate", "no/such/place"], in: goldenDirectory)
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "error: 'no/such/place' does not exist; give a spec file, a workshop directory or a tree to search\n")
    }

    @Test func treeWithoutSpecsExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let result = try Nalabo.run(["validate", "."], in: directory.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no workshop.yaml or workshop.yml found under '.'"))
    }

    @Test(arguments: [["validate", "--plan", "gold"], ["validate", "--format", "xml"], ["validate", "--bogus"], ["nonsense"]])
    func badArgumentsExitTwo(_ arguments: [String]) throws {
        let result = try Nalabo.run(arguments, in: goldenDirectory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error:") || result.stderr.contains("error:"))
    }

    /// A command without subcommands parses its own arguments (a start-up shortcut); what it leaves to the root
    /// (help, version, bad arguments) prints as the root does.
    @Test func helpVersionAndBadArgumentsAfterACommandAreTheRoots() throws {
        for command in ["validate", "status", "up"] {
            let help = try Nalabo.run(["help", command], in: goldenDirectory)
            #expect(help.status == 0 && help.stdout.contains("USAGE: nalabo \(command)"), "\(help.stdout)")
            for arguments in [[command, "--help"], [command, "-h"], [command, "valid", "--help"]] {
                let result = try Nalabo.run(arguments, in: goldenDirectory)
                #expect(result.status == help.status && result.stdout == help.stdout, "\(arguments)")
            }
            let bad = try Nalabo.run([command, "valid", "--no-such-option"], in: goldenDirectory)
            #expect(bad.status == 2 && bad.stderr.contains("Unknown option '--no-such-option'") && bad.stderr.contains("nalabo \(command)"),
                    "\(command): \(bad.stderr)")
        }
        let version = try Nalabo.run(["--version"], in: goldenDirectory)
        #expect(try Nalabo.run(["validate", "--version"], in: goldenDirectory).stdout == version.stdout)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let piped = try Nalabo.run(["validate", "broken"], in: goldenDirectory)
        #expect(!piped.stdout.contains("\u{1B}["))
        #expect(!piped.stdout.contains(" | "), "source excerpts are for terminals")

        let terminal = try Nalabo.runOnTerminal(["validate", "broken"], in: goldenDirectory)
        #expect(terminal.status == 1)
        #expect(terminal.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        // The offending line and a caret under the unknown key.
        #expect(terminal.stdout.contains(" 10 |       imgae: debian:bookworm-slim\n    |       \u{1B}[1;32m^\u{1B}[0m\n"))

        let noColor = try Nalabo.runOnTerminal(["validate", "broken"], in: goldenDirectory, environment: ["NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}["))
        #expect(noColor.stdout.contains(" 10 |       imgae: debian:bookworm-slim\n    |       ^\n"))

        let forced = try Nalabo.run(["validate", "broken", "--color", "always"], in: goldenDirectory)
        #expect(forced.stdout.contains("\u{1B}[1;31merror:"))
    }
}
