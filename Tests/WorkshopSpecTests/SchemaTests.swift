import Foundation
import Testing
@testable import WorkshopSpec

/// `nalabo schema` is generated from the definitions the validator uses. A real JSON Schema validator
/// (Python's jsonschema, Draft 2020-12) accepts every example and rejects invalid specs.
@Suite(.serialized) struct SchemaTests {
    /// Converts YAML to JSON the way editors' YAML 1.2 core schema does.
    private func json(_ node: Node) -> JSONValue {
        switch node.content {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.value) }
            if scalar.isNull { return .null }
            if scalar.value == "true" || scalar.value == "false" { return .bool(scalar.value == "true") }
            if CoreSchema.isInteger(scalar.value), let int = Int64(scalar.value) { return .int(int) }
            if CoreSchema.isNumber(scalar.value), let double = Double(scalar.value) { return .double(double) }
            return .string(scalar.value)
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let entries): return .object(entries.map { ($0.key.value, json($0.value)) })
        }
    }

    private func document(_ path: String) throws -> JSONValue {
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let sink = DiagnosticSink(file: path)
        let node = try #require(YAMLParser.parse(SourceFile(path: path, bytes: Array(bytes)), into: sink))
        return json(node)
    }

    /// Runs jsonschema over the documents; returns the indices of those it rejects.
    private func rejected(_ documents: [JSONValue]) throws -> [Int] {
        let directory = try TemporaryDirectory()
        try directory.write("schema.json", JSONSchemaGenerator.generate().pretty)
        try directory.write("documents.json", JSONValue.array(documents).pretty)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for index, document in enumerate(json.load(open(sys.argv[2]))):
                if list(validator.iter_errors(document)):
                    print(index)
            """
        try directory.write("check.py", script)
        let process = Process()
        // Debian's python3-jsonschema lives with /usr/bin/python3; .ci/run installs it.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, directory.path + "/check.py", directory.path + "/schema.json", directory.path + "/documents.json"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "jsonschema failed: \(errorText)")
        return text.split(separator: "\n").compactMap { Int($0) }
    }

    static let examples: [String] = {
        let root = packageRoot + "/examples"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().map { root + "/" + $0 + "/workshop.yaml" }.filter { FileManager.default.fileExists(atPath: $0) }
    }()

    @Test func everyExampleAndTheStarterTemplateConformToTheSchema() throws {
        #expect(Self.examples.count >= 4)
        let template = try TemporaryDirectory()
        try template.write("workshop.yaml", WorkshopTemplate.files(slug: "starter", title: "Starter")["workshop.yaml"] ?? "")
        let documents = try (Self.examples + [template.path + "/workshop.yaml"]).map(document)
        #expect(try rejected(documents) == [])
    }

    @Test func invalidSpecsFailTheSchema() throws {
        let valid = try document(Self.examples[0])
        guard case .object(let members) = valid else { Issue.record("example is not a mapping"); return }
        func replacing(_ key: String, with value: JSONValue?) -> JSONValue {
            .object(members.compactMap { $0.0 == key ? value.map { (key, $0) } : $0 })
        }
        let invalid: [JSONValue] = [
            .object(members + [("unknown", .string("x"))]),                     // unknown key
            replacing("kind", with: .string("Lesson")),                          // not one of
            replacing("steps", with: .array([])),                                 // too few items
            replacing("steps", with: nil),                                        // missing required key
            replacing("metadata", with: .object([("slug", .string("Bad Slug")), ("title", .string("T")), ("version", .string("1.0.0"))])),
            replacing("metadata", with: .object([("slug", .string("ok")), ("title", .string("T")), ("version", .string("1.0"))])),
            replacing("environment", with: .object([("containers", .array([.object([("name", .string("a")), ("image", .string("x")), ("ports", .array([.string("80")]))])]))])),
            replacing("steps", with: .array([.object([("id", .string("s")), ("title", .string("S")), ("content", .string("a")), ("content_file", .string("b.md"))])])),
        ]
        #expect(try rejected(invalid + [valid, replacing("x-extra", with: .string("ignored"))]) == Array(invalid.indices))
    }

    @Test func schemaDescribesEveryObjectOfTheFormat() {
        let schema = JSONSchemaGenerator.generate().compact
        for object in SpecSchema.objects {
            #expect(schema.contains("\"\(object.name)\":{\"type\":\"object\""))
            for field in object.fields {
                #expect(schema.contains("\"\(field.name)\":"), "\(object.name).\(field.name)")
            }
        }
    }
}
