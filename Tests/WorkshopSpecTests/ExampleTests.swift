import Foundation
import Testing
@testable import WorkshopSpec

/// The examples and the starter template are real workshops: they validate with no errors and no warnings.
@Suite struct ExampleTests {
    @Test(arguments: SchemaTests.examples)
    func exampleValidates(_ path: String) throws {
        let text = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        // An example that needs a larger plan says so in its first lines.
        let plan = text.contains("needs the pro plan") ? Plan.pro : Plan.free
        let loaded = SpecLoader(plan: plan).load(path: path)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map { "\($0.location): \($0.message)" })")
        let workshop = try #require(loaded.workshop)
        #expect(workshop.challenges.count >= 3)
        #expect(workshop.challenges.allSatisfy { $0.solve != nil })
    }

    @Test func starterTemplateValidatesCleanlyOnTheFreePlan() throws {
        let directory = try TemporaryDirectory()
        for (path, text) in WorkshopTemplate.files(slug: "starter", title: "Starter") { try directory.write(path, text) }
        let loaded = SpecLoader(plan: .free).load(path: directory.path + "/workshop.yaml")
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.workshop?.challenges.first?.checks.count == 2)
        #expect(loaded.workshop?.challenges.first?.solve != nil)
    }

    @Test(arguments: [("My Workshop", "my-workshop"), ("--a__b--", "a-b"), ("Ünïcode", "n-code"), ("", "my-workshop")])
    func starterSlugsAreDNSLabels(_ name: String, _ slug: String) {
        #expect(WorkshopTemplate.slug(from: name) == slug)
        #expect(StringFormat.dnsLabel.accepts(WorkshopTemplate.slug(from: name)))
    }
}
