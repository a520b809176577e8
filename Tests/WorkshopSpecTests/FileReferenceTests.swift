import Foundation
import Testing
@testable import WorkshopSpec

/// Referenced files must stay inside the workshop directory and be small regular UTF-8 text.
@Suite struct FileReferenceTests {
    private func problem(_ reference: String, prepare: (TemporaryDirectory) throws -> Void = { _ in }) throws -> String? {
        let directory = try TemporaryDirectory()
        try prepare(directory)
        let spec = minimalSpec.replacing("content: Do it.", with: "content_file: \(reference)")
        try directory.write("workshop.yaml", spec)
        let found = SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml").diagnostics
        #expect(found.allSatisfy { $0.rule == .fileReference && $0.location == SourceLocation(line: 14, column: 19) })
        return found.first?.message
    }

    @Test func existingFileIsInlined() throws {
        let loaded = try load(minimalSpec.replacing("content: Do it.", with: "content_file: steps/one.md"), files: ["steps/one.md": "# One\n"])
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.workshop?.steps.first?.content == .file(path: "steps/one.md", text: "# One\n"))
    }

    @Test func missingFile() throws {
        #expect(try problem("steps/nope.md") == "file 'steps/nope.md' does not exist")
    }

    @Test func absolutePath() throws {
        #expect(try problem("/etc/passwd") == "file '/etc/passwd' is an absolute path")
    }

    @Test func parentDirectory() throws {
        #expect(try problem("steps/../../secret.md") == "file 'steps/../../secret.md' uses '..'")
    }

    @Test func symlinkLeadingOutside() throws {
        let outside = try TemporaryDirectory()
        try outside.write("secret.md", "secret\n")
        let message = try problem("link.md") { directory in
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.md", withDestinationPath: outside.path + "/secret.md")
        }
        #expect(message?.hasPrefix("file 'link.md' leads outside the workshop directory") == true)
    }

    @Test func symlinkInsideIsFine() throws {
        let directory = try TemporaryDirectory()
        try directory.write("real.md", "text\n")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.md", withDestinationPath: "real.md")
        try directory.write("workshop.yaml", minimalSpec.replacing("content: Do it.", with: "content_file: link.md"))
        #expect(SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml").diagnostics.isEmpty)
    }

    @Test func directoryIsNotAFile() throws {
        #expect(try problem("steps") { try $0.write("steps/x.md", "x") } == "'steps' is not a regular file")
    }

    @Test func tooLarge() throws {
        let message = try problem("big.md") { try $0.write("big.md", String(repeating: "x", count: 256 * 1024 + 1)) }
        #expect(message == "file 'big.md' is 262145 bytes; a referenced file may be at most 262144 bytes")
    }

    @Test func notUTF8() throws {
        #expect(try problem("latin1.md") { try $0.write("latin1.md", bytes: Array("caf".utf8) + [0xE9]) }
            == "file 'latin1.md' is not valid UTF-8 at byte offset 3")
    }

    @Test func binary() throws {
        #expect(try problem("blob.md") { try $0.write("blob.md", bytes: [0x41, 0x00, 0x42]) } == "file 'blob.md' is binary, not text")
    }
}
