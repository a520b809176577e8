// libFuzzer entry point for the spec pipeline: libyaml parsing → located node tree → schema decoding →
// validation → canonical bundle, and every diagnostic reporter.
//
// Built outside SwiftPM by Fuzz/run, in ONE swiftc invocation together with every file of
// Sources/WorkshopSpec as a single module, so this file needs no `import WorkshopSpec` and sees the
// module's internal symbols. See Fuzz/README.md.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The path every diagnostic names.
private let specPath = "fuzz.yaml"

/// A workshop directory with a few files a spec can reference (`content_file:`, `script:`), good and bad,
/// created once per process. Fuzz/yaml.dict and the seeds name the same paths.
private let fixtureFiles: [(path: String, contents: [UInt8])] = [
    ("steps/welcome.md", Array("# Welcome\n\nRun `ls`.\n".utf8)),
    ("steps/empty.md", []),
    ("steps/unicode.md", Array("Grüße — 日本語 🎉\r\nline two\n".utf8)),
    ("checks/check.sh", Array("#!/bin/sh\ntest -f /tmp/done\n".utf8)),
    ("setup/prepare.sh", Array("#!/bin/sh\nset -e\ntouch /tmp/ready\n".utf8)),
    ("solutions/solve.sh", Array("#!/bin/sh\ntouch /tmp/done\n".utf8)),
    ("bad-utf8.md", [0x6F, 0x6B, 0x0A, 0xC3, 0x28, 0xFF, 0x0A]),
    ("binary.md", [0x61, 0x00, 0x62, 0x0A]),
    // One byte over WorkshopDirectory.maxFileBytes; refused by its size before it is read.
    ("big.md", [UInt8](repeating: 0x61, count: (256 << 10) + 1)),
]
/// Symbolic links: (link path, target).
private let fixtureLinks: [(path: String, target: String)] = [
    ("alias.md", "steps/welcome.md"),   // inside the directory: fine
    ("escape.md", "/etc/hostname"),     // escapes the directory
    ("up", ".."),                       // a directory outside
    ("dangling.md", "no/such/file.md"), // missing
]
/// Subdirectories, created before the files and removed after them.
private let fixtureDirectories = ["steps", "checks", "setup", "solutions", "empty-dir"]
private let fixtureFIFO = "fifo.md"

/// The directory, or nil when it could not be made (the fuzzer then loads against a missing directory).
private let fixtureDirectory: String? = makeFixtureDirectory()

private func makeFixtureDirectory() -> String? {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/nalabo-fuzz-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
        mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
    }
    guard let root = made else { return nil }
    for directory in fixtureDirectories { mkdir(root + "/" + directory, 0o755) }
    for file in fixtureFiles {
        let descriptor = open(root + "/" + file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { continue }
        file.contents.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count <= 0 { break }
                written += count
            }
        }
        close(descriptor)
    }
    for link in fixtureLinks { symlink(link.target, root + "/" + link.path) }
    mkfifo(root + "/" + fixtureFIFO, 0o644)
    atexit(removeFixtureDirectory)
    return root
}

/// Runs at exit (not after a crash: a crashed run leaves one small nalabo-fuzz-* folder in $TMPDIR).
private func removeFixtureDirectory() {
    guard let root = fixtureDirectory else { return }
    for file in fixtureFiles { unlink(root + "/" + file.path) }
    for link in fixtureLinks { unlink(root + "/" + link.path) }
    unlink(root + "/" + fixtureFIFO)
    for directory in fixtureDirectories.reversed() { rmdir(root + "/" + directory) }
    rmdir(root)
}

/// Every reporter, the text one both plain and with colours and quoted source lines.
private func reporters() -> [any DiagnosticReporter] {
    [
        TextReporter(),
        TextReporter(colored: true, showSource: true),
        JSONReporter(),
        GitHubReporter(),
        SARIFReporter(toolVersion: "fuzz"),
    ]
}

/// `NALABO_FUZZ_VERBOSE=1` prints each input's diagnostics and digest: handy to check a seed or read a
/// crasher (`NALABO_FUZZ_VERBOSE=1 Fuzz/.work/spec-fuzzer FILE`).
private let verbose = getenv("NALABO_FUZZ_VERBOSE").map { String(cString: $0) == "1" } ?? false

/// Keeps the optimizer from dropping work whose result is unused.
@inline(never)
private func consume(_ text: String) {
    if text.utf8.count == Int.max { fatalError("unreachable") }
}

/// LeakSanitizer suppressions built into the binary, so a crash file replays the same way with or without
/// Fuzz/run. Objects made by a lazy global initializer (`static let`, run once under `swift_once`) live
/// for the whole process, but Swift may keep the only reference to them with enum tag bits set in the
/// pointer's spare bits, where LeakSanitizer does not recognise it, and reports them as leaked.
@_cdecl("__lsan_default_suppressions")
public func leakSanitizerSuppressions() -> UnsafePointer<CChar> {
    let list: StaticString = "leak:swift_once\nleak:swift::threading_impl::once_slow\n"
    return UnsafeRawPointer(list.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file = SourceFile(path: specPath, bytes: bytes)

    // 1. The parser on its own: libyaml events → located node tree, with the parse limits enforced.
    let sink = DiagnosticSink(file: specPath)
    if let root = YAMLParser.parse(file, limits: .standard, into: sink) {
        consume(root.kindDescription)
    }

    // 2. The whole pipeline: parse → decode → validate against the free plan.
    let loaded = SpecLoader(plan: Plan.free).load(file, directory: fixtureDirectory ?? "/nonexistent-nalabo-fuzz")

    // 3. The canonical bundle of a valid workshop.
    if let workshop = loaded.workshop {
        let bundle = WorkshopBundle(workshop)
        let digest = bundle.digest
        precondition(digest.hasPrefix("sha256:") && digest.utf8.count == 71, "malformed digest \(digest)")
        consume(bundle.json.pretty)
        if verbose { print("digest: \(digest)") }
    }

    // 4. Every reporter, on diagnostics whose messages and locations come from the input.
    let report = ValidationReport([loaded])
    for reporter in reporters() {
        consume(reporter.render(report))
    }
    if verbose { print(TextReporter(showSource: true).render(report), terminator: "") }
    return 0
}
