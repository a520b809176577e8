import Foundation
import Testing
import WorkshopSpec

/// `nalabo import killercoda` as an author runs it, then `nalabo test` proving the imported workshop on the
/// real engine: the lifecycle walks its reading-only steps and runs its background scripts as step setups.
@Suite struct ImportCommandTests {
    @Test func anImportedScenarioPassesNalaboTest() async throws {
        let lab = try Lab(busyboxSpec())
        let scenario = try TemporaryDirectory()
        try scenario.write("lab/index.json", """
            {
              "title": "Files",
              "details": {
                "intro": {"text": "intro.md", "background": "setup.sh"},
                "steps": [
                  {"title": "Make a file", "text": "step1.md", "verify": "verify1.sh"},
                  {"title": "Read", "text": "step2.md"},
                  {"title": "Remove it", "text": "step3.md", "verify": "verify3.sh", "background": "prepare3.sh"}
                ]
              },
              "backend": {"imageid": "ubuntu"},
              "interface": {"layout": "ide"}
            }
            """)
        let files = [
            "intro.md": "Welcome.\n", "setup.sh": "mkdir -p /root/work\n",
            "step1.md": "<details><summary>Solution</summary>\n\n```\ntouch /root/work/made\n```{{exec}}\n</details>\n",
            "verify1.sh": "#!/bin/sh\ntest -f /root/work/made\n",
            "step2.md": "Nothing to do.\n",
            "step3.md": "## Solution\n\n`rm /root/work/old`{{exec}}\n", "verify3.sh": "test ! -e /root/work/old\n",
            "prepare3.sh": "touch /root/work/old\n",
        ]
        for (path, text) in files { try scenario.write("lab/" + path, text) }
        let output = scenario.path + "/imported"
        let imported = try await lab.nalabo(["import", "killercoda", scenario.path + "/lab", "--output", output,
                                             "--image", "ubuntu=\(TestEngine.busybox)"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.contains("dropped: interface.layout: 'ide'"), "\(imported.stdout)")
        #expect(imported.stdout.hasSuffix("wrote \(output)/workshop.yaml (10 files; IMPORTED.md lists what to finish by hand)\n"))
        // Writing into a directory that is not empty is refused.
        let again = try await lab.nalabo(["import", "killercoda", scenario.path + "/lab", "--output", output])
        #expect(again.status == 2 && again.stderr.contains("is not empty"), "\(again.stderr)")

        let test = try await lab.nalabo(["test", output, "--format", "json"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        let run = try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [String: Any]
        let order = (run?["lifecycle"] as? [[String: Any]])?.map { "\($0["scope"] ?? "") \($0["id"] ?? "") \($0["stage"] ?? "")" }
        #expect(order == ["step intro setup", "step make-a-file setup", "challenge make-a-file setup", "challenge make-a-file cleanup",
                          "step read setup", "step remove-it setup", "challenge remove-it setup", "challenge remove-it cleanup"],
                "\(order ?? [])")
    }

    @Test func anImportedInstruqtTrackPassesNalaboTest() async throws {
        let lab = try Lab(busyboxSpec())
        let track = try TemporaryDirectory()
        let files = [
            "track.yml": "slug: files-track\ntitle: Files\nteaser: Make and remove files.\n",
            "config.yml": "version: \"3\"\ncontainers:\n- name: shell\n  image: instruqt/shell\n  shell: /bin/sh\n  memory: 64\n",
            "track_scripts/setup-shell": "#!/bin/sh\nmkdir -p /root/work\n",
            "01-make/assignment.md": "---\nslug: make\ntype: challenge\ntitle: Make a file\n---\nTouch it.\n",
            "01-make/setup-shell": "#!/bin/sh\ntouch /root/work/ready\n",
            "01-make/check-shell": "#!/bin/sh\ntest -f /root/work/made && test -f /root/work/ready\n",
            "01-make/solve-shell": "#!/bin/sh\ntouch /root/work/made\n",
            "01-make/cleanup-shell": "#!/bin/sh\nrm /root/work/ready\n",
            "02-quiz/assignment.md": "---\nslug: quiz\ntype: quiz\ntitle: Which?\nanswers: [touch, rm]\nsolution: [1]\n---\nWhich command removes?\n",
        ]
        for (path, text) in files { try track.write("t/" + path, text) }
        let output = track.path + "/imported"
        let imported = try await lab.nalabo(["import", "instruqt", track.path + "/t", "--output", output, "--image", "instruqt/shell=\(TestEngine.busybox)"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let test = try await lab.nalabo(["test", output, "--format", "json"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        let run = try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [String: Any]
        let scripts = (run?["lifecycle"] as? [[String: Any]])?.filter { $0["script"] as? Bool == true }
            .map { "\($0["scope"] ?? "") \($0["id"] ?? "") \($0["stage"] ?? "")" }
        #expect(scripts?.first?.hasPrefix("environment ") == true && scripts?.dropFirst().first == "challenge make setup"
                && scripts?.contains("challenge make cleanup") == true, "\(scripts ?? [])")
    }
}
