import ArgumentParser
import WorkshopSpec

extension Nalabo {
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema (2020-12) of the spec format, for editors.",
            discussion: """
                yaml-language-server (VS Code's YAML extension and others) uses it for completion and checks: \
                save it as nalabo.schema.json and add `# yaml-language-server: $schema=nalabo.schema.json` \
                to the top of workshop.yaml. The schema checks shapes; `nalabo validate` also checks ids, \
                references, files and plan limits.
                """)

        func run() {
            print(JSONSchemaGenerator.generate().pretty)
        }
    }
}
