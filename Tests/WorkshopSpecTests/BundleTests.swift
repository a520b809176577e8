import Foundation
import Testing
@testable import WorkshopSpec

/// The digest identifies a workshop's content: formatting never changes it, meaning always does.
@Suite struct BundleTests {
    static let files = ["steps/one.md": "# One\n\nDo it.\n", "checks/done.sh": "test -f /tmp/done\n"]

    static let spec = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata:
          slug: digest
          title: Digest
          version: 1.0.0
          tags: [a, b]
        environment:
          containers:
            - name: box
              image: debian:bookworm-slim
              resources: {cpus: 0.5, memory: 256Mi}
        steps:
          - id: one
            title: One
            content_file: steps/one.md
            challenges:
              - id: done
                title: Done
                checks:
                  - script: checks/done.sh
                solve:
                  run: touch /tmp/done

        """

    private func digest(_ spec: String, files: [String: String] = files) throws -> String {
        let loaded = try load(spec, files: files)
        let workshop = try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
        return WorkshopBundle(workshop).digest
    }

    @Test func digestIsASHA256OfTheCanonicalText() throws {
        let workshop = try #require(try load(Self.spec, files: Self.files).workshop)
        let bundle = WorkshopBundle(workshop)
        #expect(bundle.digest.hasPrefix("sha256:"))
        #expect(bundle.digest.count == 7 + 64)
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(bundle.canonicalText.hasPrefix(#"{"files":{"checks/done.sh":"test -f /tmp/done\n","steps/one.md":"#))
        #expect(!bundle.canonicalText.contains("\n"))
    }

    /// Applies text replacements to the spec, each of which must match.
    private func edited(_ replacements: [String: String]) -> String {
        var spec = Self.spec
        for (old, new) in replacements {
            #expect(spec.contains(old), "no '\(old)' in the spec")
            spec = spec.replacing(old, with: new)
        }
        return spec
    }

    static let reformattings: [(String, [String: String])] = [
        ("comments and blank lines", ["apiVersion:": "# a comment\n\napiVersion:", "  version: 1.0.0": "  version: 1.0.0   # pinned\n"]),
        ("flow style", ["metadata:\n  slug: digest\n  title: Digest\n  version: 1.0.0\n  tags: [a, b]": "metadata: {version: 1.0.0, tags: [a, b], title: Digest, slug: digest}"]),
        ("key order", ["    - name: box\n      image: debian:bookworm-slim": "    - image: debian:bookworm-slim\n      name: box"]),
        ("quoting", ["title: Digest": "title: 'Digest'", "slug: digest": "slug: \"digest\""]),
        ("block list", ["tags: [a, b]": "tags:\n    - a\n    - b"]),
        ("anchors", ["resources: {cpus: 0.5, memory: 256Mi}": "resources: &r {cpus: 0.5, memory: 256Mi}\n      x-copy: *r"]),
        ("merge keys", ["resources: {cpus: 0.5, memory: 256Mi}": "resources: {<<: {cpus: 0.5, memory: 1Gi}, memory: 256Mi}"]),
        ("extensions", ["kind: Workshop": "kind: Workshop\nx-owner: someone"]),
        ("equivalent spellings", ["memory: 256Mi": "memory: 268435456", "cpus: 0.5": "cpus: 0.50"]),
        ("defaults written out", ["image: debian:bookworm-slim": "image: debian:bookworm-slim\n      shell: /bin/sh",
                                  "  - script: checks/done.sh": "  - script: checks/done.sh\n            timeout: 30s\n            points: 1"]),
        ("windows line endings", ["\n": "\r\n"]),
    ]

    @Test(arguments: reformattings)
    func formattingDoesNotChangeTheDigest(_ name: String, _ replacements: [String: String]) throws {
        #expect(try digest(edited(replacements)) == (try digest(Self.spec)), "\(name)")
    }

    static let changes: [(String, [String: String])] = [
        ("title", ["title: Digest": "title: Digest!"]),
        ("version", ["version: 1.0.0": "version: 1.0.1"]),
        ("tag order", ["tags: [a, b]": "tags: [b, a]"]),
        ("memory", ["memory: 256Mi": "memory: 257Mi"]),
        ("a default made different", ["image: debian:bookworm-slim": "image: debian:bookworm-slim\n      shell: /bin/bash"]),
        ("solve", ["run: touch /tmp/done": "run: touch /tmp/done2"]),
        ("a script inlined instead of referenced", ["- script: checks/done.sh": "- run: \"test -f /tmp/done\\n\""]),
    ]

    @Test(arguments: changes)
    func meaningChangesTheDigest(_ name: String, _ replacements: [String: String]) throws {
        #expect(try digest(edited(replacements)) != (try digest(Self.spec)), "\(name)")
    }

    @Test func referencedFileContentChangesTheDigest() throws {
        var files = Self.files
        files["steps/one.md"] = "# One\n\nDo it now.\n"
        #expect(try digest(Self.spec, files: files) != (try digest(Self.spec)))
    }

    @Test func bundleRoundTripsThroughTheLoader() throws {
        // The spec part of a bundle is itself a valid spec (JSON is YAML) and loads to the same digest.
        let workshop = try #require(try load(Self.spec, files: Self.files).workshop)
        let bundle = WorkshopBundle(workshop)
        guard case .object(let members) = bundle.json, let spec = members.first(where: { $0.0 == "spec" })?.1 else {
            Issue.record("no spec in the bundle"); return
        }
        let directory = try TemporaryDirectory()
        for (path, text) in workshop.referencedFiles { try directory.write(path, text) }
        let reloaded = SpecLoader(plan: .free).load(SourceFile(path: "bundle.json", text: spec.pretty), directory: directory.path)
        let again = try #require(reloaded.workshop, "\(reloaded.diagnostics.map(\.message))")
        #expect(WorkshopBundle(again).digest == bundle.digest)
    }

    /// `show_output` is written into the bundle only when it hides output, so every other check's digest is
    /// what it was before the field existed; a quoted "false" is a string, not a boolean.
    @Test func showOutputIsBundledOnlyWhenItHides() throws {
        let plain = try digest(Self.spec)
        #expect(try digest(edited(["- script: checks/done.sh": "- script: checks/done.sh\n            show_output: true"])) == plain)
        let hiding = edited(["- script: checks/done.sh": "- script: checks/done.sh\n            show_output: false"])
        let workshop = try #require(try load(hiding, files: Self.files).workshop)
        #expect(workshop.challenges.first?.checks.first?.showOutput == false)
        #expect(WorkshopBundle(workshop).canonicalText.contains(#""show_output":false"#))
        #expect(WorkshopBundle(workshop).digest != plain)
        let quoted = try load(edited(["- script: checks/done.sh": "- script: checks/done.sh\n            show_output: \"false\""]),
                              files: Self.files)
        #expect(quoted.workshop == nil)
        #expect(quoted.diagnostics.contains { $0.message.contains("show_output") && $0.message.contains("true or false") },
                "\(quoted.diagnostics.map(\.message))")
    }

    @Test func canonicalJSONFollowsRFC8785() {
        let value = JSONValue.object([
            ("b", .array([.double(1.0), .double(0.5), .double(1e21), .double(1e-7), .double(-0.0), .int(-3)])),
            ("a", .string("é\u{1}\"\\\n")),
            ("\u{20AC}", .null), ("\r", .bool(true)), ("1", .bool(false)),
        ])
        #expect(value.canonical == #"{"\r":true,"1":false,"a":"é\u0001\"\\\n","b":[1,0.5,1e+21,1e-7,0,-3],"€":null}"#)
    }
}
