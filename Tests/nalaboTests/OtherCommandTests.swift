import Foundation
import Testing

@Suite struct OtherCommandTests {
    @Test(arguments: [[], ["validate"], ["bundle"], ["init"], ["plans"], ["schema"]])
    func everyCommandHasHelp(_ command: [String]) throws {
        let result = try Nalabo.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: nalabo"))
    }

    @Test func versionIsPrinted() throws {
        let result = try Nalabo.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }

    @Test func anUnknownCommandIsNamedWithTheLikeliestOneAndTheList() throws {
        let typo = try Nalabo.run(["chek"])
        #expect(typo.status == 2 && typo.stdout.isEmpty)
        #expect(typo.stderr.hasPrefix("error: 'chek' is not a nalabo command; did you mean 'check'?\n"), "\(typo.stderr)")
        #expect(typo.stderr.contains("  learning: up, shell, instructions, check, next,"))
        let missing = try Nalabo.run(["frobnicate", "killercoda", "."])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("error: 'frobnicate' is not a nalabo command\nthe commands:\n"), "\(missing.stderr)")
        // Options and real commands are left to the parser.
        #expect(try Nalabo.run(["help", "check"]).status == 0)
        #expect(try Nalabo.run(["--bogus"]).stderr.contains("Unknown option"))
    }

    @Test func bundleWritesCanonicalJSONAndPrintsItsDigest() throws {
        let directory = try TemporaryDirectory()
        let result = try Nalabo.run(["bundle", goldenDirectory + "/valid", "-o", directory.path + "/bundle.json"])
        #expect(result.status == 0)
        let digest = result.stdout.trimmingCharacters(in: .newlines)
        // An independent SHA-256 of the written file must match the printed digest.
        let sum = try Nalabo.runProcess("/usr/bin/sha256sum", [directory.path + "/bundle.json"])
        #expect(digest == "sha256:" + (sum.stdout.split(separator: " ").first.map(String.init) ?? ""))
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/bundle.json"))) as? [String: Any])
        #expect(bundle["format"] as? String == "nalabo.bundle/v1")
        #expect((bundle["files"] as? [String: String])?.keys.sorted() == ["checks/says-hello.sh", "steps/first-file.md"])

        let piped = try Nalabo.run(["bundle", goldenDirectory + "/valid"])
        #expect(piped.status == 0)
        #expect(piped.stderr == result.stdout)
        #expect(piped.stdout == (try String(contentsOfFile: directory.path + "/bundle.json", encoding: .utf8)) + "\n")
    }

    @Test func bundleOfABrokenSpecWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let result = try Nalabo.run(["bundle", "broken", "-o", directory.path + "/bundle.json"], in: goldenDirectory)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.contains("broken/workshop.yaml:10:7: error: unknown key 'imgae' in container"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/bundle.json"))
    }

    @Test func bundleOfATreeWithSeveralWorkshopsAsksForOne() throws {
        let result = try Nalabo.run(["bundle", "examples"], in: packageRoot)
        #expect(result.status == 2)
        #expect(result.stderr.contains("holds 4 workshops; name one of them"))
    }

    @Test func initScaffoldsAWorkshopThatValidatesAndRefusesToOverwrite() throws {
        let directory = try TemporaryDirectory()
        let created = try Nalabo.run(["init", "Intro to Bash"], in: directory.path)
        #expect(created.status == 0)
        #expect(created.stdout.hasPrefix("Created the workshop 'intro-to-bash' in "))
        let validated = try Nalabo.run(["validate", "Intro to Bash", "--strict"], in: directory.path)
        #expect(validated.status == 0)
        #expect(validated.stdout == "1 file checked: 0 errors, 0 warnings\n")

        let again = try Nalabo.run(["init", "Intro to Bash"], in: directory.path)
        #expect(again.status == 2)
        #expect(again.stderr.hasSuffix("/Intro to Bash/workshop.yaml' already exist; use --force to overwrite\n"))
        let forced = try Nalabo.run(["init", "Intro to Bash", "--force", "--title", "Bash: the basics"], in: directory.path)
        #expect(forced.status == 0)
        #expect(try Nalabo.run(["validate", "Intro to Bash"], in: directory.path).status == 0)
        #expect(try String(contentsOfFile: directory.path + "/Intro to Bash/workshop.yaml", encoding: .utf8).contains("title: \"Bash: the basics\""))
    }

    @Test func initRejectsAnInvalidSlug() throws {
        let directory = try TemporaryDirectory()
        let result = try Nalabo.run(["init", "x", "--slug", "Not_A_Slug"], in: directory.path)
        #expect(result.status == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/x"))
    }

    @Test func plansPrintsTheTableAsTextAndJSON() throws {
        let text = try Nalabo.run(["plans"])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("limit "))
        #expect(text.stdout.contains("memory per container     512Mi           2Gi                       8Gi\n"))
        let json = try Nalabo.run(["plans", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let plans = try #require(object["plans"] as? [[String: Any]])
        #expect(plans.compactMap { $0["name"] as? String } == ["free", "pro", "team"])
    }

    @Test func schemaIsJSONSchema2020() throws {
        let result = try Nalabo.run(["schema"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect((object["$defs"] as? [String: Any])?.count == 13)
    }
}

@Suite struct OutputFileTests {
    @Test func bundleToDevNullWritesThroughTheDeviceInsteadOfReplacingIt() throws {
        let result = try Nalabo.run(["bundle", goldenDirectory + "/valid", "-o", "/dev/null"])
        #expect(result.status == 0)
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        #expect(type == .typeCharacterSpecial)
    }

    @Test func unwritableOutputSaysWhy() throws {
        let result = try Nalabo.run(["bundle", goldenDirectory + "/valid", "-o", "/nonexistent-dir/bundle.json"])
        #expect(result.status == 2)
        #expect(result.stderr == "error: cannot write '/nonexistent-dir/bundle.json': No such file or directory\n")
    }
}

/// `nalabo serve` refuses a port proxy it could not authenticate for before it connects to anything.
@Suite struct ServeOptionTests {
    @Test(arguments: [
        (["--proxy-listen", "127.0.0.1:8081", "--proxy-url", "http://other.example:8081"], "on the portal's host"),
        (["--proxy-listen", "127.0.0.1:8080"], "other than --listen"),
        (["--proxy-listen", "nonsense"], "write HOST:PORT"),
        (["--proxy-url", "http://127.0.0.1:8081"], "needs --proxy-listen"),
    ])
    func aProxyThatCannotWorkIsRefused(_ options: [String], _ message: String) throws {
        let result = try Nalabo.run(["serve", "--listen", "127.0.0.1:8080", "--database-url", "host=/nonexistent"] + options)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
