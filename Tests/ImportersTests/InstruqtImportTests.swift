import Foundation
@testable import Importers
import Testing
import TestSupport
import WorkshopSpec

/// `nalabo import instruqt` on a track written in Instruqt's format (track.yml, config.yml, challenge folders
/// with assignment.md and setup/check/solve/cleanup-HOST scripts, as Instruqt's docs and example tracks show).
@Suite struct InstruqtImportTests {
    static func track(_ files: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (path, text) in files { try directory.write("git-track/" + path, text) }
        return directory
    }

    static let gitTrack: [String: String] = [
        "track.yml": """
            slug: create-a-git-repository
            id: jr1xt3myr3yp
            type: track
            title: Create a Git repository
            teaser: An introduction to the basics of Git.
            description: |-
              In this track you will *create* a repository.
            tags: [git, version control]
            owner: examples
            checksum: "15442772989333510626"
            flavour: spicy
            """,
        "config.yml": """
            version: "3"
            containers:
            - name: shell
              image: gcr.io/instruqt/shell-git:latest
              shell: /bin/bash
              memory: 128
              environment: {GIT_AUTHOR_NAME: Learner}
            virtualmachines:
            - name: server
              image: instruqt/ubuntu-2004
              machine_type: n1-standard-1
            secrets:
            - name: GITHUB_TOKEN
            """,
        "track_scripts/setup-shell": "#!/bin/sh\ngit config --global init.defaultBranch main\n",
        "01-create/assignment.md": """
            ---
            slug: create
            type: challenge
            title: Create a repository
            teaser: git init
            notes:
            - type: text
              contents: Git keeps history.
            - type: image
              url: https://example.invalid/x.png
            tabs:
            - title: Shell
              type: terminal
              hostname: shell
            difficulty: basic
            timelimit: 600
            ---
            Run `git init my-repo`.
            """,
        "01-create/setup-shell": "#!/bin/sh\nmkdir -p /root\n",
        "01-create/check-shell": "#!/bin/sh\ntest -d /root/my-repo/.git || { fail-message 'no repository yet'; exit 1; }\n",
        "01-create/solve-shell": "#!/bin/sh\ngit init /root/my-repo\n",
        "01-create/cleanup-shell": "#!/bin/sh\nrm -f /tmp/scratch\n",
        "01-create/setup-server": "#!/bin/sh\ntrue\n",
        "01-create/check-nowhere": "#!/bin/sh\ntrue\n",
        "02-quiz/assignment.md": """
            ---
            slug: quiz
            type: quiz
            title: A quiz
            answers:
            - git init
            - git clone
            solution:
            - 0
            timelimit: 300
            ---
            Which command makes a new repository?
            """,
        "03-read/assignment.md": "---\nslug: read\ntype: challenge\ntitle: Read on\n---\nThat is all.\n",
    ]

    @Test func aTrackBecomesAWorkshopThatValidates() throws {
        let directory = try Self.track(Self.gitTrack)
        let imported = try InstruqtImporter(images: ImageMapping(overrides: ["gcr.io/instruqt/shell-git:latest": "debian:bookworm-slim"]))
            .importTrack(at: directory.path + "/git-track")
        let output = try TemporaryDirectory()
        for (path, data) in imported.files { try output.write(path, String(decoding: data, as: UTF8.self)) }
        let loaded = SpecLoader(plan: nil).load(path: output.path + "/workshop.yaml")
        let workshop = try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        #expect(workshop.metadata.slug == "create-a-git-repository" && workshop.metadata.summary == "An introduction to the basics of Git.")
        #expect(workshop.metadata.tags.map(\.value) == ["git", "version-control"] && workshop.metadata.duration?.seconds == 900)
        // Containers, the virtual machine as a container, secrets on both, the track's setup.
        #expect(workshop.environment.containers.map(\.name) == ["shell", "server"])
        #expect(workshop.environment.containers.map(\.image) == ["debian:bookworm-slim", ImageMapping.fallback])
        #expect(workshop.environment.containers[0].resources.memory.description == "128Mi")
        #expect(workshop.environment.containers[0].env.map { "\($0.name)=\($0.value)" } == ["GIT_AUTHOR_NAME=Learner"])
        #expect(workshop.environment.containers.allSatisfy { $0.secrets.map(\.value) == ["GITHUB_TOKEN"] })
        #expect(workshop.environment.setup.map(\.container) == ["shell"])
        // The description is a first reading step; each folder a step, in order.
        #expect(workshop.steps.map(\.id) == ["about", "create", "quiz", "read"])
        let create = try #require(workshop.challenge("create"))
        #expect(create.setup?.container == "shell" && create.solve != nil && create.cleanup != nil && create.checks.count == 1)
        let quiz = try #require(workshop.challenge("quiz"))
        #expect(quiz.checks[0].script.source.text == "grep -qx '1' /root/answer\n" && quiz.solve?.source.text == "echo '1' > /root/answer\n")
        #expect(workshop.steps[3].challenges.isEmpty, "a folder without a check script is reading only")
        let text = String(decoding: try #require(imported.files["steps/create.md"]), as: UTF8.self)
        #expect(text.hasPrefix("*git init*\n\nGit keeps history.\n\nRun `git init my-repo`."), "\(text)")
        // What could not be carried over.
        let notes = imported.report.notes
        func has(_ kind: ImportReport.Kind, _ place: String, _ words: String) -> Bool {
            notes.contains { $0.kind == kind && $0.place == place && $0.message.contains(words) }
        }
        #expect(has(.unknown, "track.yml.flavour", "not carried over"))
        #expect(has(.dropped, "track.yml", "id, type, owner, checksum"))
        #expect(has(.changed, "config.yml.virtualmachines[0]", "becomes a container"))
        #expect(has(.dropped, "01-create/setup-server", "one setup script"))
        #expect(has(.dropped, "01-create/check-nowhere", "no container or machine nowhere"))
        #expect(has(.changed, "01-create/check-shell", "fail-message"))
        #expect(has(.dropped, "01-create/assignment.md.notes[1]", "image note"))
        #expect(has(.dropped, "01-create/assignment.md.tabs", "a terminal per container"))
        #expect(has(.changed, "02-quiz/assignment.md", "answer-file challenge"))
        #expect(has(.changed, "config.yml.secrets", "GITHUB_TOKEN"))
    }

    @Test func aTrackWithoutItsFilesSaysWhatIsMissing() throws {
        let empty = try TemporaryDirectory()
        #expect { try InstruqtImporter().importTrack(at: empty.path) } throws: { error in
            (error as? ImportFailure)?.description.contains("track.yml does not exist") == true
        }
        let bad = try Self.track(["track.yml": "title: [unclosed", "config.yml": "version: \"3\"\n"])
        #expect { try InstruqtImporter().importTrack(at: bad.path + "/git-track") } throws: { error in
            (error as? ImportFailure)?.description.contains("is not YAML nalabo can read") == true
        }
        #expect(InstruqtImporter.frontMatter("---\na: 1\n---\nbody\n") == ("a: 1", "body\n"))
        #expect(InstruqtImporter.frontMatter("no front matter") == ("", "no front matter"))
    }
}
