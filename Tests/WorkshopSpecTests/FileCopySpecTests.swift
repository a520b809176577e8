import Foundation
import Testing
@testable import WorkshopSpec

/// `files:` in the spec: what it accepts, what it refuses and where, and how it bundles (binary files as
/// base64, read back byte for byte).
@Suite struct FileCopySpecTests {
    static let binary: [UInt8] = [0x00, 0xFF, 0x1F, 0x8B, 0x0A] + Array(0...255)

    static func spec(containerFiles: String = "", stepFiles: String = "", secondContainer: Bool = false) -> String {
        """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: files, title: Files, version: 1.0.0}
        environment:
          containers:
            - name: box
              image: debian:bookworm-slim
        \(containerFiles)
        \(secondContainer ? "    - {name: other, image: debian:bookworm-slim}" : "")
        steps:
          - id: only
            title: Only
            content: Do it.
        \(stepFiles)
            challenges:
              - id: touch
                title: Touch
                checks: [{run: test -f /tmp/done}]
                solve: {run: touch /tmp/done}
        """
    }

    /// Loads a spec with `assets/blob.bin` (binary) and `assets/notes.txt` (text) beside it.
    static func load(_ yaml: String) throws -> LoadedSpec {
        let directory = try TemporaryDirectory()
        try directory.write("assets/blob.bin", bytes: binary)
        try directory.write("assets/notes.txt", "notes\n")
        try directory.write("workshop.yaml", yaml)
        return SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml")
    }

    @Test func filesAreReadWithTheirDefaults() throws {
        let loaded = try Self.load(Self.spec(containerFiles: """
                  files:
                    - {source: assets/blob.bin, target: /srv/blob}
                    - {source: assets/notes.txt, target: /srv/data, extract: true, owner: "1000"}
            """, stepFiles: """
                files:
                  - {content: "hi\\n", target: /etc/hi, mode: "755", owner: "1000:1001"}
            """))
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        let workshop = try #require(loaded.workshop)
        let own = workshop.environment.containers[0].files
        #expect(own.map(\.container) == ["box", "box"] && own[0].bytes == Self.binary && own[0].mode == 0o644 && own[0].owner == .root)
        #expect(own[1].extract && own[1].mode == nil && own[1].owner == FileOwner(uid: 1000, gid: 1000))
        let step = workshop.steps[0].files
        #expect(step.map(\.container) == ["box"] && step[0].mode == 0o755 && step[0].owner == FileOwner(uid: 1000, gid: 1001))
        #expect(step[0].source == .inline("hi\n") && step[0].target == "/etc/hi")
    }

    @Test func mistakesAreReportedWhereTheyAre() throws {
        let source = MarkedSource(Self.spec(stepFiles: """
                files:
                  - {content: x, target: 1️⃣etc/x}
                  - {content: x, target: /x, mode: 2️⃣"0999"}
                  - {content: x, target: /x, owner: 3️⃣learner}
                  - {content: x, target: /x, extract: 4️⃣true}
                  - {source: assets/notes.txt, target: /x, extract: true, mode: 5️⃣"0644"}
                  - {source: 6️⃣assets/none.tar, target: /x}
                  - 7️⃣{target: /x}
                  - {content: x, target: /x, container: 8️⃣web}
                  - {content: x, target: 9️⃣/srv/}
            """, secondContainer: false))
        let directory = try TemporaryDirectory()
        try directory.write("assets/notes.txt", "notes\n")
        try directory.write("workshop.yaml", source.text)
        let found = SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml").diagnostics
        expect(found, [(.invalidValue, 1), (.invalidValue, 2), (.invalidValue, 3), (.invalidValue, 4), (.invalidValue, 5),
                       (.fileReference, 6), (.missingKey, 7), (.unknownReference, 8), (.invalidValue, 9)], in: source)
        let messages = found.map(\.message)
        #expect(messages[2].contains("numeric owner"), "\(messages[2])")
        #expect(messages[3].contains("inline with content"), "\(messages[3])")
        #expect(messages[4].contains("keep their own"), "\(messages[4])")
        #expect(messages[8] == "target '/srv/' cannot be written: it ends with '/'; name the file or directory without it", "\(messages[8])")
    }

    @Test func targetsAndOwnersATarHeaderCannotHoldAreRefused() {
        #expect(FileCopy.targetProblem("/srv/data") == nil && FileCopy.targetProblem("/srv/" + String(repeating: "d", count: 100)) == nil)
        for bad in ["/", "/srv/", "/srv//x", "/srv/./x", "/srv/../etc/x", "/srv/" + String(repeating: "x", count: 101),
                    String(repeating: "/abcdefghi", count: 26)] {
            #expect(FileCopy.targetProblem(bad) != nil, "\(bad)")
        }
        #expect(FileOwner("2097151") == FileOwner(uid: 2_097_151, gid: 2_097_151))
        #expect(FileOwner("2097152") == nil && FileOwner("1000:2097152") == nil && FileOwner("1000680000") == nil)
    }

    @Test func aStepsFilesNameTheirContainerWhenThereAreSeveral() throws {
        let source = MarkedSource(Self.spec(stepFiles: """
                files:
                  - 1️⃣{content: x, target: /x}
                  - {content: x, target: /x, container: other}
            """, secondContainer: true))
        // (The plan and the challenge's unnamed containers are other rules' business.)
        let found = try diagnostics(source, plan: nil).filter { $0.location.line == source[1].line || $0.location.line == source[1].line + 1 }
        expect(found, [(.missingKey, 1)], in: source)
        #expect(found.first?.message.contains("in file;") == true, "\(found.map(\.message))")
    }

    @Test func binaryFilesBundleAsBase64AndComeBackByteForByte() throws {
        let loaded = try Self.load(Self.spec(containerFiles: """
                  files:
                    - {source: assets/blob.bin, target: /srv/blob}
                    - {source: assets/notes.txt, target: /srv/notes}
            """))
        let workshop = try #require(loaded.workshop)
        let bundle = WorkshopBundle(workshop)
        #expect(workshop.referencedFiles == ["assets/notes.txt": "notes\n"])
        #expect(bundle.canonicalText.contains(#""binary_files":{"assets/blob.bin":"\#(Data(Self.binary).base64EncodedString())"}"#))
        let stored = try StoredBundle(json: bundle.canonicalText)
        #expect(stored.binaryFiles == ["assets/blob.bin": Self.binary] && stored.files["assets/notes.txt"] == "notes\n")
        let again = try stored.workshop(plan: .free)
        #expect(again.environment.containers[0].files.map(\.bytes) == [Self.binary, Array("notes\n".utf8)])
        #expect(WorkshopBundle(again).digest == bundle.digest)
        // What a bundle string cannot hold as it is — CRLF, an escape, more than 256 KiB — goes as base64 too.
        for (name, bytes) in [("crlf.csv", Array("a,b\r\n1,2\r\n".utf8)), ("escape.txt", Array("\u{1B}[31mred\n".utf8)),
                              ("large.txt", [UInt8](repeating: UInt8(ascii: "a"), count: (256 << 10) + 1))] {
            let directory = try TemporaryDirectory()
            try directory.write("assets/" + name, bytes: bytes)
            try directory.write("workshop.yaml", Self.spec(containerFiles: """
                      files: [{source: assets/\(name), target: /srv/\(name)}]
                """))
            let workshop = try #require(SpecLoader(plan: .pro).load(path: directory.path + "/workshop.yaml").workshop, "\(name)")
            let read = try StoredBundle(json: WorkshopBundle(workshop).canonicalText)
            #expect(read.binaryFiles["assets/" + name] == bytes, "\(name)")
            #expect(try read.workshop(plan: .pro).environment.containers[0].files[0].bytes == bytes, "\(name)")
        }
        // A workshop without binary files has no binary_files member: older bundles keep their digests.
        let plain = try #require(try Self.load(Self.spec()).workshop)
        #expect(!WorkshopBundle(plain).canonicalText.contains("binary_files"))
    }
}
