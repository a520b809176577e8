import Foundation
@testable import Importers
import Testing
import TestSupport
import WorkshopSpec

/// `nalabo import killercoda` on scenarios written in Killercoda's format (index.json as its public docs
/// describe it): what is carried over, how, and that everything else is reported.
@Suite struct KillercodaImportTests {
    /// A scenario directory with `index.json` and the files it names.
    static func scenario(_ index: String, files: [String: String] = [:]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("lab/index.json", index)
        for (path, text) in files { try directory.write("lab/" + path, text) }
        return directory
    }

    static let linuxFiles = """
        {
          "title": "Linux Files Intro",
          "description": "Basic commands to work with files",
          "difficulty": "Beginner",
          "time": "15 minutes",
          "details": {
            "intro": {"text": "intro.md", "background": "setup.sh"},
            "steps": [
              {"title": "Create an empty file", "text": "step1/text.md", "verify": "step1/verify.sh"},
              {"title": "Read the manual", "text": "step2/text.md", "foreground": "step2/foreground.sh"},
              {"title": "Clean up", "text": "step3/text.md", "verify": "step3/verify.sh", "background": "step3/background.sh"}
            ],
            "finish": {"text": "finish.md"},
            "assets": {"host01": [{"file": "*", "target": "~/"}, {"file": "wait.sh", "target": "/usr/local/bin/", "chmod": "+x"}],
                       "client": [{"file": "wait.sh", "target": "/root"}]}
          },
          "backend": {"imageid": "ubuntu"},
          "interface": {"layout": "ide"},
          "x-theme": "dark"
        }
        """

    static let linuxFilesTexts = [
        "intro.md": "Welcome.\n", "setup.sh": "mkdir -p /root/work\n",
        "step1/text.md": "# Empty file\n\nCreate it: `touch /root/work/empty`{{exec}}\n\n<details><summary>Solution</summary>\n\n```plain\ntouch /root/work/empty\n```{{exec}}\n\n</details>\n",
        "step1/verify.sh": "#!/bin/sh\ntest -f /root/work/empty\n",
        "step2/text.md": "Read `man ls`{{copy}}.\n", "step2/foreground.sh": "man ls\n",
        "step3/text.md": "Remove it.\n\n## Solution\n\n`rm /root/work/empty`{{exec}}\n\n## Next\n\n`echo not-a-solution`{{exec}}\n",
        "step3/verify.sh": "test ! -e /root/work/empty\n", "step3/background.sh": "touch /root/work/empty\n",
        "finish.md": "Done!\n", "assets/wait.sh": "#!/bin/sh\nsleep 1\n", "assets/conf/app.ini": "[app]\n",
    ]

    @Test func aScenarioBecomesAWorkshopThatValidates() throws {
        let directory = try Self.scenario(Self.linuxFiles, files: Self.linuxFilesTexts)
        let imported = try KillercodaImporter(images: ImageMapping(overrides: ["ubuntu": "debian:bookworm-slim"]))
            .importScenario(at: directory.path + "/lab")
        let output = try TemporaryDirectory()
        for (path, data) in imported.files { try output.write(path, String(decoding: data, as: UTF8.self)) }
        let loaded = SpecLoader(plan: .free).load(path: output.path + "/workshop.yaml")
        let workshop = try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        #expect(workshop.metadata.slug == "lab" && workshop.metadata.title == "Linux Files Intro")
        #expect(workshop.metadata.difficulty == .beginner && workshop.metadata.duration?.seconds == 900)
        #expect(workshop.environment.containers.map(\.image) == ["debian:bookworm-slim"])
        #expect(workshop.steps.map(\.id) == ["intro", "create-an-empty-file", "read-the-manual", "clean-up", "finish"])
        // Background scripts are step setups; verify scripts are challenges; solutions come from {{exec}} blocks.
        #expect(workshop.steps[0].setup != nil && workshop.steps[3].setup != nil && workshop.steps[1].setup == nil)
        #expect(workshop.steps.map(\.challenges.count) == [0, 1, 0, 1, 0])
        #expect(workshop.steps[1].challenges[0].solve?.source.text == "touch /root/work/empty\n")
        #expect(workshop.steps[3].challenges[0].solve?.source.text == "rm /root/work/empty\n", "only the solution section's commands")
        #expect(workshop.steps[1].challenges[0].checks[0].script.source.text == "#!/bin/sh\ntest -f /root/work/empty\n")
        // The markers are gone from the instructions, the code kept.
        let text = String(decoding: try #require(imported.files["steps/create-an-empty-file.md"]), as: UTF8.self)
        #expect(!text.contains("{{") && text.contains("```plain run\ntouch /root/work/empty\n```\n"), "\(text)")
        #expect(imported.report.notes.contains { $0.place == "details.steps[0].text" && $0.message.contains("1 inline") })
        // Everything else is in the report.
        let places = imported.report.notes.map(\.place)
        #expect(places.contains("x-theme") && imported.report.notes.first { $0.place == "x-theme" }?.kind == .unknown)
        // host01's assets are the container's files; another host's are reported.
        let copies = workshop.environment.containers[0].files
        #expect(copies.map(\.target) == ["/root/conf/app.ini", "/root/wait.sh", "/usr/local/bin/wait.sh"])
        #expect(copies.map(\.mode) == [0o644, 0o644, 0o755] && copies[2].bytes == Array("#!/bin/sh\nsleep 1\n".utf8))
        #expect(imported.files["assets/conf/app.ini"] != nil)
        for dropped in ["interface.layout", "details.assets.client", "details.steps[1].foreground"] {
            #expect(imported.report.notes.contains { $0.place == dropped && $0.kind == .dropped }, "\(dropped) is not reported")
        }
        #expect(String(decoding: try #require(imported.files["IMPORTED.md"]), as: UTF8.self).contains("## Not carried over"))
    }

    @Test func aStepWithoutASolutionAndAKubernetesBackendAreReported() throws {
        let directory = try Self.scenario("""
            {"title": "Pods", "details": {"steps": [{"title": "Run a pod", "text": "step1.md", "verify": "verify.sh"}]},
             "backend": {"imageid": "kubernetes-kubeadm-1node"}}
            """, files: ["step1.md": "Run `kubectl run web --image=nginx`{{exec}}\n", "verify.sh": "kubectl get pod web\n"])
        let imported = try KillercodaImporter().importScenario(at: directory.path + "/lab")
        #expect(imported.report.notes.contains { $0.place == "backend.imageid" && $0.message.contains("Kubernetes cluster") })
        #expect(imported.report.notes.contains { $0.place == "details.steps[0]" && $0.message.contains("missing-solve") })
        let output = try TemporaryDirectory()
        for (path, data) in imported.files { try output.write(path, String(decoding: data, as: UTF8.self)) }
        let loaded = SpecLoader(plan: nil).load(path: output.path + "/workshop.yaml")
        #expect(loaded.workshop != nil && loaded.diagnostics.map(\.rule) == [.missingSolve], "\(loaded.diagnostics.map(\.message))")
        #expect(loaded.workshop?.environment.containers.first?.image == ImageMapping.fallback)
    }

    @Test func missingFilesAndBadIndexesSayWhat() throws {
        let missing = try Self.scenario("""
            {"title": "T", "details": {"steps": [{"title": "S", "text": "nope.md", "verify": "../../etc/passwd"}]}}
            """)
        let imported = try KillercodaImporter().importScenario(at: missing.path + "/lab")
        #expect(imported.report.notes.contains { $0.place == "details.steps[0].text" && $0.message == "nope.md does not exist" })
        #expect(imported.report.notes.contains { $0.place == "details.steps[0].verify" && $0.message.contains("outside the scenario directory") })
        for (index, message) in [("[1, 2]", "is not a JSON object"), ("{\"details\": {\"steps\": 3}}", "details.steps must be a list"),
                                 ("{\"title\": 4}", "title must be a string"), ("{", "is not JSON")] {
            let bad = try Self.scenario(index)
            #expect { try KillercodaImporter().importScenario(at: bad.path + "/lab") } throws: { error in
                (error as? ImportFailure)?.description.contains(message) == true
            }
        }
        let empty = try TemporaryDirectory()
        #expect(throws: ImportFailure.self) { try KillercodaImporter().importScenario(at: empty.path) }
    }

    /// A file the scenario names is read only when it lies inside it once symlinks are followed, and ids stay
    /// valid labels when made unique; a name with nothing to keep gives the slug `imported`.
    @Test func symlinksOutOfTheScenarioAreNotFollowedAndIdsStayLabels() throws {
        let outside = try TemporaryDirectory()
        try outside.write("credentials", "aws_secret_access_key = do-not-copy\n")
        let long = String(repeating: "a", count: 70)
        let directory = try Self.scenario("""
            {"details": {"steps": [{"title": "\(long)", "text": "t.md", "verify": "verify.sh"}, {"title": "\(long)", "text": "t.md"}]}}
            """, files: ["t.md": "Text.\n"])
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/lab/verify.sh", withDestinationPath: outside.path + "/credentials")
        let imported = try KillercodaImporter().importScenario(at: directory.path + "/lab")
        #expect(imported.report.notes.contains { $0.place == "details.steps[0].verify" && $0.message.contains("outside the scenario directory") })
        #expect(!imported.files.values.contains { String(decoding: $0, as: UTF8.self).contains("do-not-copy") })
        let output = try TemporaryDirectory()
        for (path, data) in imported.files { try output.write(path, String(decoding: data, as: UTF8.self)) }
        let loaded = SpecLoader(plan: nil).load(path: output.path + "/workshop.yaml")
        #expect(loaded.workshop?.steps.map(\.id) == [String(repeating: "a", count: 63), String(repeating: "a", count: 61) + "-2"],
                "\(loaded.diagnostics.map(\.message))")
        let unnamed = try TemporaryDirectory()
        try unnamed.write("シナリオ/index.json", "{}")
        #expect(try KillercodaImporter().importScenario(at: unnamed.path + "/シナリオ").slug == "imported")
    }

    @Test func markersAreStrippedAndSolutionsHarvested() {
        #expect(KillercodaMarkdown.strip("`a`{{exec}} `b`{{copy}} `c`{{}} ```\nd\n```{{exec interrupt}}") == ("`a` `b` `c` ```\nd\n```", 4))
        // {{exec}} fences become runnable blocks; inline spans plain code, counted for the report.
        let converted = KillercodaMarkdown.convert("Run `a`{{exec}}:\n\n```\nd\n```{{exec interrupt}}\n\n  ```bash\n  e\n  ```{{execute}}\n\n```\nf\n```{{copy}}\n")
        #expect(converted == KillercodaMarkdown.Converted(text: "Run `a`:\n\n```sh run\nd\n```\n\n  ```bash run\n  e\n  ```\n\n```\nf\n```\n",
                                                         runnable: 2, inlineRuns: 1, interrupts: 1), "\(converted)")
        let text = """
            `outside`{{exec}}
            <details>
            <summary>Show the solution</summary>

            ```
            one
            two
            ```{{exec}}
            ```
            copied only
            ```{{copy}}
            </details>
            `after`{{exec}}
            """
        #expect(KillercodaMarkdown.solution(in: text) == ["one\ntwo"])
        #expect(KillercodaMarkdown.solution(in: "## Solution\nRun `ls` then `pwd`{{exec}} and `id`{{exec}}\n") == ["pwd", "id"])
        #expect(ImportText.label("Create an Empty File!") == "create-an-empty-file")
        #expect(ImportText.minutes("15 minutes") == 15 && ImportText.minutes("soon") == nil)
        #expect(ImageMapping.parse(["ubuntu=debian:bookworm-slim"]) == ["ubuntu": "debian:bookworm-slim"] && ImageMapping.parse(["ubuntu"]) == nil)
    }
}
