import Foundation
import Testing
@testable import Catalogue
import WorkshopSpec

@Suite struct PublishTests {
    @Test func publishIsImmutableAndRepublishingTheSameContentIsANoOp() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice")
        #expect(try alice.publish(workshop("shell")) == .published)
        #expect(try alice.publish(workshop("shell")) == .unchanged)
        #expect(throws: CatalogueError.conflict("version 1.0.0 of shell is already published with other content", hint: "bump metadata.version")) {
            try alice.publish(workshop("shell", title: "Other content"))
        }
        #expect(try alice.publish(workshop("shell", version: "1.1.0", title: "Other content")) == .published)
        let newest = try alice.resolve(WorkshopAddress(slug: "shell"))
        #expect(newest.version == "1.1.0")
        #expect(newest.versions.map(\.version) == ["1.1.0", "1.0.0"])
    }

    @Test func theBundleComesBackWithTheSameDigest() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice")
        let original = try workshop("roundtrip")
        _ = try alice.publish(original)
        let stored = try alice.resolve(WorkshopAddress(owner: "alice", slug: "roundtrip", version: "1.0.0"))
        #expect(stored.digest == WorkshopBundle(original).digest)
        let reloaded = try StoredBundle(json: stored.bundleJSON).workshop()
        #expect(WorkshopBundle(reloaded).digest == stored.digest)
    }

    @Test func semverOrderPicksTheNewestAndSkipsYanked() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        let alice = try cluster.as("alice")
        for version in ["1.0.0", "1.10.0", "1.9.0", "2.0.0-beta.2", "2.0.0-beta.11"] {
            _ = try alice.publish(workshop("order", version: version))
        }
        #expect(try alice.resolve(WorkshopAddress(slug: "order")).version == "2.0.0-beta.11")
        _ = try alice.publish(workshop("order", version: "2.0.0"))
        #expect(try alice.resolve(WorkshopAddress(slug: "order")).version == "2.0.0")
        try alice.yank(WorkshopAddress(slug: "order", version: "2.0.0"))
        #expect(try alice.resolve(WorkshopAddress(slug: "order")).version == "2.0.0-beta.11")
        // A yanked version is still there by its exact number, and never reused.
        #expect(try alice.resolve(WorkshopAddress(slug: "order", version: "2.0.0")).yankedAt != nil)
        #expect(throws: CatalogueError.conflict("version 2.0.0 of order was yanked and is never reused", hint: "bump metadata.version")) {
            try alice.publish(workshop("order", version: "2.0.0"))
        }
        try alice.yank(WorkshopAddress(slug: "order", version: "2.0.0"), undo: true)
        #expect(try alice.resolve(WorkshopAddress(slug: "order")).version == "2.0.0")
    }

    @Test func hostileTextIsStoredAndReadBackVerbatim() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice", plan: "team")
        let alice = try cluster.as("alice")
        let titles = ["'); DROP TABLE nalabo.workshops;--", "Robert'); DELETE FROM users; --", "\\x00 \\' \" $1 $$ %s", "日本語 🎉 é\u{301} \u{202E}rtl", "null"]
        for (index, title) in titles.enumerated() {
            _ = try alice.publish(workshop("hostile-\(index)", title: title))
        }
        let listed = try alice.list(mine: true)
        #expect(Set(listed.map(\.title)) == Set(titles))
        #expect(try alice.list(search: "DROP TABLE").map(\.slug) == ["hostile-0"])
        #expect(try alice.list(search: "%").map(\.slug) == ["hostile-2"], "a % in the search is a literal, not a wildcard")
        #expect(try alice.list(search: "_").isEmpty)
    }

    @Test func listFiltersByTagSearchAndOwner() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        _ = try cluster.as("alice").publish(workshop("git-intro", title: "Git for beginners", tags: ["git"]))
        _ = try cluster.as("bob").publish(workshop("shell", title: "Shell", tags: ["linux", "shell"]))
        let bob = try cluster.as("bob")
        #expect(try bob.list().map { "\($0.owner)/\($0.slug)" } == ["alice/git-intro", "bob/shell"])
        #expect(try bob.list(tag: "git").map(\.slug) == ["git-intro"])
        #expect(try bob.list(search: "beginners").map(\.slug) == ["git-intro"])
        #expect(try bob.list(mine: true).map(\.slug) == ["shell"])
    }

    @Test func ambiguousSlugsNeedAnOwner() throws {
        let cluster = try TestCatalogue()
        try cluster.user("alice")
        try cluster.user("bob")
        _ = try cluster.as("alice").publish(workshop("shell"))
        _ = try cluster.as("bob").publish(workshop("shell"))
        let alice = try cluster.as("alice")
        #expect(throws: CatalogueError.ambiguous(slug: "shell", owners: ["alice", "bob"])) { try alice.resolve(WorkshopAddress(slug: "shell")) }
        #expect(try alice.resolve(WorkshopAddress(owner: "bob", slug: "shell")).owner == "bob")
    }

    @Test(arguments: [("alice/shell@1.2.3", "alice", "shell", "1.2.3"), ("shell", nil, "shell", nil), ("shell@2.0.0-rc.1", nil, "shell", "2.0.0-rc.1")] as [(String, String?, String, String?)])
    func addressesParse(_ text: String, _ owner: String?, _ slug: String, _ version: String?) {
        #expect(WorkshopAddress(text) == WorkshopAddress(owner: owner, slug: slug, version: version))
        #expect(WorkshopAddress(text)?.description == text)
    }

    @Test(arguments: ["", "Alice/shell", "a/b/c", "shell@1.0", "shell@", "/shell"])
    func badAddressesAreRejected(_ text: String) {
        #expect(WorkshopAddress(text) == nil)
    }
}
