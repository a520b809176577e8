import Foundation
import Testing
@testable import WorkshopSpec

/// Defaults are stated once, in ``SpecSchema``: each is a valid value of its own field, and the decoder takes
/// what it fills in from there (not from literals of its own).
@Suite struct SchemaDefaultTests {
    @Test func everyDefaultIsAValidValueOfItsField() {
        for schema in SpecSchema.objects {
            for field in schema.fields {
                guard let text = field.defaultValue else { continue }
                // Two defaults are not values: a check's name is its position ("check-N"); `expect` is an object.
                if case .object = field.shape { continue }
                if schema.name == "check" && field.name == "name" { #expect(text == "check-N"); continue }
                let sink = DiagnosticSink(file: "defaults")
                let context = DecodingContext(sink: sink, directory: BundledFiles([:]))
                let reader = ObjectReader.empty(schema, at: .start, context: context)
                let before = sink.diagnostics.count  // an empty mapping lacks the required keys: not this test's business
                let decoded: Bool? = switch field.shape {
                case .string, .oneOf: reader?.string(field.name, defaulted: true) != nil
                case .integer: reader?.integer(field.name, defaulted: true) != nil
                case .number: reader?.number(field.name, defaulted: true) != nil
                case .boolean: reader?.boolean(field.name, defaulted: true) != nil
                case .duration: reader?.duration(field.name, defaulted: true) != nil
                case .memory: reader?.memory(field.name, defaulted: true) != nil
                default: nil
                }
                #expect(decoded == true && sink.diagnostics.count == before,
                        "\(schema.name).\(field.name)'s default '\(text)': \(sink.diagnostics.dropFirst(before).map(\.message))")
            }
        }
    }

    @Test func theDecoderFillsInTheSchemasDefaults() throws {
        let loaded = try load("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: defaults, title: Defaults, version: 1.0.0}
            environment:
              containers:
                - name: box
                  image: debian:bookworm-slim
                  files: [{content: x, target: /x}]
              setup: [{run: "true"}]
            steps:
              - id: only
                title: Only
                content: Do it.
                challenges:
                  - id: touch
                    title: Touch
                    checks: [{run: test -f /tmp/done}]
                    solve: {run: touch /tmp/done}
            """)
        let workshop = try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
        func schemaDefault(_ schema: ObjectSchema, _ name: String) -> String? { schema.field(name)?.defaultValue }
        let container = workshop.environment.containers[0]
        #expect(workshop.environment.network.rawValue == schemaDefault(SpecSchema.environment, "network"))
        #expect(container.shell == schemaDefault(SpecSchema.container, "shell"))
        #expect(container.resources.cpus.formatted == schemaDefault(SpecSchema.resources, "cpus"))
        #expect(container.resources.memory.description == schemaDefault(SpecSchema.resources, "memory"))
        #expect(String(container.resources.pids) == schemaDefault(SpecSchema.resources, "pids"))
        #expect(container.resources.disk == nil && container.resources.diskLimit.description == schemaDefault(SpecSchema.resources, "disk"))
        #expect(workshop.limits.session.description == schemaDefault(SpecSchema.limits, "session"))
        #expect(workshop.environment.setup[0].timeout.description == schemaDefault(SpecSchema.script, "timeout"))
        let check = workshop.challenges[0].checks[0]
        #expect(check.script.timeout.description == schemaDefault(SpecSchema.check, "timeout"))
        #expect(String(check.points) == schemaDefault(SpecSchema.check, "points"))
        #expect(String(check.expect.exit) == schemaDefault(SpecSchema.expectation, "exit"))
        #expect(String(check.showOutput) == schemaDefault(SpecSchema.check, "show_output"))
        #expect(check.name == "check-1")
        let file = container.files[0]
        #expect(file.mode.map(FileMode.text) == schemaDefault(SpecSchema.containerFile, "mode"))
        #expect(file.owner.description == schemaDefault(SpecSchema.containerFile, "owner"))
        #expect(String(file.extract) == schemaDefault(SpecSchema.containerFile, "extract"))
    }
}

/// The bundle speaks the spec format: every key it writes is a field of the schema (checked as it is built),
/// and a workshop that uses every field has every one of them in its bundle, so no field can be forgotten.
@Suite struct BundleSchemaTests {
    static let everyField = """
        apiVersion: nalabo/v1
        kind: Workshop
        metadata: {slug: every, title: Every field, version: 1.0.0, summary: All of them., tags: [a], difficulty: beginner, duration: 30m}
        environment:
          network: isolated
          containers:
            - name: box
              image: debian:bookworm-slim
              shell: /bin/bash
              workdir: /root
              user: root
              env: {A: "1"}
              ports: [8080]
              resources: {cpus: 0.5, memory: 128Mi, pids: 64, disk: 64Mi}
              capabilities: [SYS_CHROOT]
              secrets: [TOKEN]
              files:
                - {content: x, target: /x, mode: "0600", owner: "1000"}
                - {source: data.tar, target: /srv, extract: true}
          setup: [{container: box, script: setup.sh, user: root, workdir: /, env: {B: "2"}, timeout: 1m}]
        limits: {session: 45m}
        steps:
          - id: one
            title: One
            content: Do it.
            setup: {run: "true"}
            files: [{container: box, content: y, target: /y}]
            challenges:
              - id: first
                title: First
                content_file: first.md
                hints: [Try.]
                setup: {run: "true"}
                files: [{container: box, source: data.tar, target: /z}]
                checks:
                  - {name: exists, run: test -f /tmp/a, timeout: 10s, points: 2, fail_message: No., show_output: false,
                     expect: {exit: 0, stdout: "", stdout_contains: x, stdout_matches: ".*"}}
                  - {script: check.sh, user: root, workdir: /, env: {C: "3"}}
                solve: {run: touch /tmp/a}
                cleanup: {run: "true"}
              - id: second
                title: Second
                content: More.
                needs: [first]
                checks: [{run: "true"}]
          - id: two
            title: Two
            content_file: two.md
        """

    @Test func aWorkshopUsingEveryFieldHasEveryFieldInItsBundle() throws {
        let loaded = try load(Self.everyField, files: ["setup.sh": "true\n", "first.md": "# First\n", "two.md": "# Two\n",
                                                       "check.sh": "true\n", "data.tar": "not really an archive\n"], plan: nil)
        let workshop = try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
        let spec = try #require(try JSONSerialization.jsonObject(with: Data(workshop.canonicalSpec.canonical.utf8)) as? [String: Any])
        var seen: [String: Set<String>] = [:]
        func walk(_ value: Any, as schema: ObjectSchema) {
            guard let object = value as? [String: Any] else { return }
            for (key, member) in object {
                seen[schema.name, default: []].insert(key)
                switch schema.field(key)?.shape {
                case .object(let nested)?: walk(member, as: nested)
                case .list(of: .object(let nested), _, _)?: (member as? [Any])?.forEach { walk($0, as: nested) }
                default: break
                }
            }
        }
        walk(spec, as: SpecSchema.workshop)
        for schema in SpecSchema.objects {
            let missing = Set(schema.fields.map(\.name)).subtracting(seen[schema.name] ?? [])
            #expect(missing.isEmpty, "the bundle never writes \(schema.name).\(missing.sorted())")
            let unknown = (seen[schema.name] ?? []).subtracting(schema.fields.map(\.name))
            #expect(unknown.isEmpty, "the bundle writes keys \(schema.name) does not have: \(unknown.sorted())")
        }
    }
}
