import Testing
@testable import WorkshopSpec

@Suite struct ValueFormatTests {
    @Test(arguments: ["90s", "45m", "1h30m", "1h30m15s", "2h", "0s"])
    func durationsParse(_ text: String) throws {
        let duration = try #require(SpecDuration(text))
        #expect(SpecDuration(duration.description) == duration)
    }

    @Test func durationValues() {
        #expect(SpecDuration("1h30m")?.seconds == 5400)
        #expect(SpecDuration("90m")?.description == "1h30m")
        #expect(SpecDuration("90s")?.description == "1m30s")
    }

    @Test(arguments: ["", "90", "h", "1m1h", "1h1h", "1.5h", "-1s", "1d", " 1s", "99999999999999999999s"])
    func invalidDurations(_ text: String) {
        #expect(SpecDuration(text) == nil)
    }

    @Test(arguments: [
        ("256Mi", Int64(256) << 20), ("1Gi", 1 << 30), ("512M", 512_000_000), ("1.5Gi", 3 << 29),
        ("128974848", 128_974_848), ("129e6", 129_000_000), ("100Ki", 102_400), ("1k", 1000),
    ])
    func memoryQuantities(_ text: String, _ bytes: Int64) {
        #expect(ByteCount(text)?.bytes == bytes)
    }

    @Test(arguments: ["", "Mi", "1.2345678901Gi", "0.3", "1 Gi", "1Gb", "-1Mi", "99999999999999999999", "1e99", "1.Gi"])
    func invalidMemoryQuantities(_ text: String) {
        #expect(ByteCount(text) == nil)
    }

    @Test func memoryDescriptionIsExact() {
        #expect(ByteCount(bytes: 512 << 20).description == "512Mi")
        #expect(ByteCount(bytes: 1_000_000).description == "1000000")
        #expect(ByteCount(bytes: 3 << 29).description == "1536Mi")
    }

    @Test(arguments: ["1.0.0", "0.1.0", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x-y.7"])
    func semanticVersions(_ text: String) {
        #expect(SemanticVersion(text)?.description == text)
    }

    @Test(arguments: ["1.0", "1.10", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+build", "v1.0.0", "1.0.0-a..b", "1.0.0.0"])
    func invalidSemanticVersions(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test func semanticVersionPrecedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0"]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        #expect(versions.sorted() == versions)
    }

    @Test(arguments: [
        ("debian:bookworm-slim", nil, "debian", "bookworm-slim", true),
        ("python:3.12-slim", nil, "python", "3.12-slim", true),
        ("ghcr.io/org/image:1.2", "ghcr.io", "org/image", "1.2", true),
        ("localhost:5000/team/img", "localhost:5000", "team/img", nil, false),
        ("registry.example.com:8443/a/b/c:v1", "registry.example.com:8443", "a/b/c", "v1", true),
        ("nginx:latest", nil, "nginx", "latest", false),
        ("my_org/my-image__x.y:tag", nil, "my_org/my-image__x.y", "tag", true),
    ] as [(String, String?, String, String?, Bool)])
    func imageReferences(_ text: String, _ domain: String?, _ path: String, _ tag: String?, _ pinned: Bool) throws {
        let reference = try #require(ImageReference(text))
        #expect(reference.domain == domain)
        #expect(reference.path == path)
        #expect(reference.tag == tag)
        #expect(reference.isPinned == pinned)
        #expect(reference.description == text)
    }

    @Test func digestPinsAnImage() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let reference = try #require(ImageReference("debian@" + digest))
        #expect(reference.digest == digest)
        #expect(reference.isPinned)
    }

    @Test(arguments: ["", "Debian", "debian:", ":tag", "a//b", "-debian", "debian-", "debian:bad tag", "debian@sha256:abc", "a:b:c", "debian:.hidden", "a__-b"])
    func invalidImageReferences(_ text: String) {
        #expect(ImageReference(text) == nil)
    }

    @Test func suggestionsOnlyForCloseWords() {
        #expect(closestMatch(to: "imgae", in: ["image", "name"]) == "image")
        #expect(closestMatch(to: "contianers", in: ["containers", "setup"]) == "containers")
        #expect(closestMatch(to: "zzz", in: ["image", "name"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("ab", "ba") == 1)
    }
}
