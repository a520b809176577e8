import Foundation
import FoundationXML
import Testing
@testable import Runtime
import WorkshopSpec

/// The engine protocol's pure parts: stream framing, pull progress, versions and endpoints.
@Suite struct ProtocolTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)] + payload
    }

    @Test func framesAreSplitIntoTheirStreamsWhereverTheChunksBreak() throws {
        let bytes = Self.frame(1, "hello ") + Self.frame(2, "oops\n") + Self.frame(1, "") + Self.frame(1, "world\n")
        // Every way of cutting the stream in two, and one byte at a time.
        var cuts = (0...bytes.count).map { [Array(bytes[..<$0]), Array(bytes[$0...])] }
        cuts.append(bytes.map { [$0] })
        for chunks in cuts {
            var demultiplexer = StreamDemultiplexer()
            var out: [UInt8] = [], err: [UInt8] = []
            for chunk in chunks {
                try demultiplexer.feed(chunk) { stream, payload in
                    if stream == .stdout { out += payload } else { err += payload }
                }
            }
            #expect(String(decoding: out, as: UTF8.self) == "hello world\n")
            #expect(String(decoding: err, as: UTF8.self) == "oops\n")
            #expect(demultiplexer.isAtFrameBoundary)
        }
    }

    @Test func aLargeFrameArrivesInPiecesAndACutOffFrameIsNoticed() throws {
        let big = String(repeating: "x", count: 100_000)
        let bytes = Self.frame(1, big)
        var demultiplexer = StreamDemultiplexer()
        var received = 0
        for start in stride(from: 0, to: bytes.count - 10, by: 4096) {
            try demultiplexer.feed(bytes[start..<min(start + 4096, bytes.count - 10)]) { _, payload in received += payload.count }
        }
        #expect(received == 100_000 - 10)
        #expect(!demultiplexer.isAtFrameBoundary)
    }

    @Test func aMalformedHeaderIsAnError() {
        var demultiplexer = StreamDemultiplexer()
        #expect(throws: StreamDemultiplexer.Failure.self) {
            try demultiplexer.feed(Array("HTTP/1.1 200 OK\r\n".utf8)) { _, _ in }
        }
    }

    @Test func pullErrorsInsideASuccessfulStreamAreFound() {
        var parser = PullProgressParser(image: "example/app:1")
        let stream = """
            {"status":"Pulling from example/app","id":"1"}
            {"status":"Downloading","progressDetail":{"current":100,"total":1000},"id":"abc"}
            {"status":"Downloading","progressDetail":{"current":1000,"total":1000},"id":"abc"}
            {"errorDetail":{"message":"toomanyrequests: rate limit"},"error":"toomanyrequests: rate limit"}

            """
        var events: [PullEvent] = []
        // Lines cut in the middle, as network chunks are.
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: 7) {
            events += parser.feed(bytes[start..<min(start + 7, bytes.count)])
        }
        events += parser.finish()
        #expect(events.count == 3)
        #expect(events[1] == PullEvent(image: "example/app:1", layer: "abc", status: "Downloading", current: 100, total: 1000))
        #expect(parser.error == "toomanyrequests: rate limit")
    }

    @Test func aPullThatEndsWithoutANewlineStillCounts() {
        var parser = PullProgressParser(image: "x")
        #expect(parser.feed(Array(#"{"error":"manifest unknown"}"#.utf8)).isEmpty)
        #expect(parser.finish().isEmpty)
        #expect(parser.error == "manifest unknown")
    }

    @Test func versionsAreNegotiatedDownToWhatBothSpeak() throws {
        #expect(DockerAPIVersion.negotiate(server: try #require(DockerAPIVersion("1.40"))) == nil)
        #expect(DockerAPIVersion.negotiate(server: try #require(DockerAPIVersion("1.41")))?.description == "1.41")
        #expect(DockerAPIVersion.negotiate(server: try #require(DockerAPIVersion("1.45")))?.description == "1.45")
        // Docker 29 speaks 1.52 and refuses clients older than 1.44: nalabo speaks its newest, 1.47.
        let docker29 = try #require(DockerAPIVersion("1.52"))
        let modern = try #require(DockerAPIVersion.negotiate(server: docker29))
        #expect(modern == DockerAPIVersion.maximum && modern >= DockerAPIVersion(major: 1, minor: 44))
        // Compared as numbers, not text.
        #expect(try #require(DockerAPIVersion("1.9")) < DockerAPIVersion(major: 1, minor: 10))
        #expect(DockerAPIVersion("one.two") == nil)
    }

    @Test func endpointsResolveLikeTheDockerCLI() throws {
        let home = try TemporaryDirectory()
        let missing = FileManager.default
        // DOCKER_HOST wins.
        let tcp = try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "tcp://10.0.0.5:2375", "HOME": home.path], fileManager: missing)
        #expect(tcp.transport == .tcp(host: "10.0.0.5", port: 2375, tls: nil))
        #expect(tcp.origin == "DOCKER_HOST")
        let tls = try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"])
        #expect(tls.transport == .tcp(host: "h", port: 2376, tls: .init(caFile: "/certs/ca.pem", certificateFile: "/certs/cert.pem", keyFile: "/certs/key.pem")))
        #expect(try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "unix:///run/user/1000/docker.sock"]).description == "unix:///run/user/1000/docker.sock")
        #expect(throws: EngineError.self) { try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "ssh://me@host"]) }
        #expect(throws: EngineError.self) { try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "tcp://nohost"]) }
        #expect(throws: EngineError.self) { try EngineEndpoint.resolve(environment: ["DOCKER_HOST": "unix://relative.sock"]) }

        // The current context of ~/.docker/config.json, stored where the docker CLI stores it.
        let meta = ".docker/contexts/meta/" + SHA256.hex(Array("remote".utf8)) + "/meta.json"
        try home.write(meta, #"{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://192.0.2.7:2375","SkipTLSVerify":false}}}"#)
        try home.write(".docker/config.json", #"{"auths":{},"currentContext":"remote"}"#)
        let context = try EngineEndpoint.resolve(environment: ["HOME": home.path])
        #expect(context.description == "tcp://192.0.2.7:2375")
        #expect(context.origin == "docker context remote")
        // DOCKER_CONTEXT overrides the file; "default" means the default socket (or Podman's when Docker's is absent).
        let byDefault = try EngineEndpoint.resolve(environment: ["HOME": home.path, "DOCKER_CONTEXT": "default"])
        #expect(byDefault.origin == "default socket" || byDefault.origin == "Podman socket")
        #expect(throws: EngineError.self) { try EngineEndpoint.resolve(environment: ["HOME": home.path, "DOCKER_CONTEXT": "nowhere"]) }
    }

    @Test func engineErrorsSayWhatToDo() {
        let unreachable = EngineError.unreachable(endpoint: "unix:///var/run/docker.sock", reason: "no socket there").description
        #expect(unreachable.contains("unix:///var/run/docker.sock") && unreachable.contains("dockerd") && unreachable.contains("DOCKER_HOST"))
        let image = EngineError.imageUnavailable(image: "acme/tool:2", reason: "no such host").description
        #expect(image.contains("acme/tool:2") && image.contains("no such host") && image.contains("scripts/offline-images"))
    }
}

/// How a workshop becomes engine objects: the isolation every learner container gets.
@Suite struct BlueprintTests {
    static func workshop(_ spec: String) throws -> Workshop {
        let directory = try TemporaryDirectory()
        try directory.write("workshop.yaml", spec)
        let loaded = SpecLoader(plan: nil).load(path: directory.path + "/workshop.yaml")
        return try #require(loaded.workshop, "\(loaded.diagnostics.map(\.message))")
    }

    static let twoContainers = busyboxSpec(network: "isolated", containers: """
            - name: web
              image: nalabo/busybox:test
              ports: [8080, 9090]
              resources: {cpus: 0.25, memory: 100Mi, pids: 50}
            - name: db
              image: debian:bookworm-slim
              ports: [8080]
        """)

    @Test func everyLearnerContainerIsLockedDownAndLimited() throws {
        let workshop = try Self.workshop(Self.twoContainers)
        let expires = Date(timeIntervalSince1970: 1_900_000_000)
        let blueprint = dockerLayout(sessionID: "abc123", workshop: workshop, expiresAt: expires, stateFile: "/state/abc123/session.json")
        let web = blueprint.containers[0]
        #expect(web.name == "nalabo-abc123-web")
        // The container ends by itself when the session's time is up.
        #expect(web.command.suffix(2) == ["nalabo-keep-alive", "1900000000"] && web.command[2].contains("left=$(($1 - now))"))
        #expect(web.capabilities == SessionPlan.capabilities)
        #expect(!web.capabilities.contains("NET_RAW") && !web.capabilities.contains("SYS_ADMIN") && !web.capabilities.contains("MKNOD"))
        #expect(web.limits == ContainerLimits(memoryBytes: 100 << 20, nanoCPUs: 250_000_000, pids: 50))
        #expect(web.network == "nalabo-abc123" && web.aliases == ["web"])
        // Internal networks publish nothing; the gateway serves these ports.
        #expect(web.ports.isEmpty)
        #expect(web.labels[DockerLayout.Label.session] == "abc123")
        #expect(web.labels[DockerLayout.Label.workshop] == "fixture@1.0.0")
        #expect(web.labels[DockerLayout.Label.expiresAt] == "2030-03-17T17:46:40Z")
        #expect(web.labels[DockerLayout.Label.stateFile] == "/state/abc123/session.json")
        // Defaults are the free plan's maxima.
        let db = blueprint.containers[1]
        #expect(db.limits == ContainerLimits(memoryBytes: Plan.free.maxMemory.bytes, nanoCPUs: Int64(Plan.free.maxCPUs * 1e9), pids: Plan.free.maxPIDs))

        // The request the engine receives: every flag of the isolation, in the API's own words.
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(API.ContainerCreate(web))) as? [String: Any]
        let host = try #require(body?["HostConfig"] as? [String: Any])
        #expect(host["Privileged"] as? Bool == false)
        #expect(host["CapDrop"] as? [String] == ["ALL"])
        #expect(host["SecurityOpt"] as? [String] == ["no-new-privileges:true"])
        #expect(host["Memory"] as? Int == 100 << 20 && host["MemorySwap"] as? Int == 100 << 20)
        #expect(host["NanoCpus"] as? Int == 250_000_000 && host["PidsLimit"] as? Int == 50)
        #expect(host["Init"] as? Bool == true)
        #expect((host["Binds"] as? [String])?.isEmpty == true && host["Mounts"] == nil)
        #expect(host["PublishAllPorts"] as? Bool == false)
        // Isolated sessions resolve each other's names but forward no other name out of the container.
        #expect(host["Dns"] as? [String] == ["127.0.0.1"])
    }

    @Test func anIsolatedSessionWithPortsGetsAGateway() throws {
        let workshop = try Self.workshop(Self.twoContainers)
        let blueprint = dockerLayout(sessionID: "s1", workshop: workshop, expiresAt: Date(), stateFile: "/x")
        #expect(blueprint.network == NetworkSpec(name: "nalabo-s1", isInternal: true, labels: blueprint.labels,
                                                 bridgeName: "nlbs1", hostAddress: false))
        #expect(blueprint.gatewayNetwork?.bridgeName == "nlbs1p" && blueprint.gatewayNetwork?.hostAddress == true)
        #expect(blueprint.gatewayNetwork?.isInternal == false)
        #expect(blueprint.relays.map(\.gatewayPort) == [10000, 10001, 10002])
        let gateway = try #require(blueprint.gatewaySpec(addresses: ["web": "172.30.0.2", "db": "172.30.0.3"]))
        #expect(Array(gateway.command.suffix(3)) == ["10002", "172.30.0.3", "8080"] && gateway.command[2].contains("nc -ll -p"))
        #expect(gateway.user == "65534:65534" && gateway.readOnlyRootFilesystem && gateway.capabilities.isEmpty)
        #expect(gateway.ports == [10000, 10001, 10002] && gateway.network == "nalabo-s1-ports")
        #expect(gateway.labels[DockerLayout.Label.role] == "ports")
        #expect(blueprint.images == ["nalabo/busybox:test", "debian:bookworm-slim", DockerLayout.defaultGatewayImage])

        // Port bindings go to 127.0.0.1 with an ephemeral host port, never to every interface.
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(API.ContainerCreate(gateway))) as? [String: Any]
        let bindings = try #require((body?["HostConfig"] as? [String: Any])?["PortBindings"] as? [String: [[String: String]]])
        #expect(bindings["10000/tcp"] == [["HostIp": "127.0.0.1", "HostPort": ""]])
    }

    @Test func learnerContainersRunNalaboInitUntilExpiryWithTheirDiskCapped() throws {
        let workshop = try Self.workshop(busyboxSpec(resources: "{cpus: 0.5, memory: 64Mi, pids: 64, disk: 256Mi}"))
        let expiry = Date(timeIntervalSince1970: 1_900_000_000.2)
        let volume = InitProgram.volumeName([0x7F, 0x45, 0x4C, 0x46, 1, 2, 3])
        #expect(volume.hasPrefix("nalabo-init-") && volume.count == "nalabo-init-".count + 16)
        let container = try #require(dockerLayout(sessionID: "s", workshop: workshop, expiresAt: expiry, stateFile: "/x",
                                                      initVolume: volume, limitsDisk: true).containers.first)
        #expect(container.command == ["/.nalabo/nalabo-init", "1900000001"])
        #expect(container.volumes == [VolumeMount(volume: volume, target: "/.nalabo", readOnly: true)])
        #expect(!container.engineInit)
        #expect(container.limits.diskBytes == 256 << 20)
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(API.ContainerCreate(container))) as? [String: Any]
        let hostConfig = try #require(body?["HostConfig"] as? [String: Any])
        #expect(hostConfig["StorageOpt"] as? [String: String] == ["size": String(256 << 20)])
        #expect(hostConfig["Init"] as? Bool == false)
        let mounts = hostConfig["Mounts"] as? [[String: Any]]
        #expect(mounts?.count == 1 && mounts?.first?["Type"] as? String == "volume" && mounts?.first?["ReadOnly"] as? Bool == true)
        #expect((hostConfig["Binds"] as? [String])?.isEmpty == true, "never a path of the host")
        // Without nalabo-init, the engine's init and the shell keep-alive; where the engine cannot cap the
        // disk, no size is asked for (and `up` says so).
        let fallback = try #require(dockerLayout(sessionID: "s", workshop: workshop, expiresAt: expiry, stateFile: "/x").containers.first)
        #expect(fallback.engineInit && fallback.volumes.isEmpty && fallback.command.first == "/bin/sh" && fallback.limits.diskBytes == nil)
        // An omitted disk takes the free plan's maximum.
        let defaulted = try #require(dockerLayout(sessionID: "s", workshop: try Self.workshop(busyboxSpec()), expiresAt: expiry,
                                                      stateFile: "/x", limitsDisk: true).containers.first)
        #expect(defaulted.limits.diskBytes == Plan.free.maxDisk.bytes)
    }

    @Test func anUncappedDiskIsSaidAsTheDocsShowIt() throws {
        let info = EngineInfo(product: "Docker", serverVersion: "20.10", apiVersion: "1.41", operatingSystem: "Debian",
                              cgroupVersion: "1", storageDriver: "overlay2", backingFilesystem: "extfs")
        #expect(!info.canLimitDisk)
        let docs = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/runtime.md").standardized.path, encoding: .utf8)
        let warning = "warning: \(Protection.disk.subject): \(DockerBackend.uncappedDisk(info))"
        #expect(docs.contains(warning), "docs/runtime.md should show: \(warning)")
        for capable in [("overlay2", "xfs"), ("btrfs", "btrfs")] {
            #expect(EngineInfo(product: "Docker", serverVersion: "", apiVersion: "", operatingSystem: "", cgroupVersion: nil,
                               storageDriver: capable.0, backingFilesystem: capable.1).canLimitDisk)
        }
    }

    @Test func archivesAreUstarThatTarReads() async throws {
        let directory = try TemporaryDirectory()
        let contents = Array("#!/bin/sh\necho hi\n".utf8) + [UInt8](repeating: 0x41, count: 600)
        let archive = try TarArchive.archive([ContainerFile(path: "nalabo-init", mode: 0o555, contents: contents)],
                                         modified: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(archive.count % 512 == 0 && archive.count == 512 + 1024 + 1024)
        try Data(archive).write(to: URL(fileURLWithPath: directory.path + "/a.tar"))
        let listing = try await host("cd \(directory.path) && tar -tvf a.tar && tar -xf a.tar && stat -c '%a %s' nalabo-init")
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("-r-xr-xr-x root/root") && listing.stdout.contains(" nalabo-init"), "\(listing.stdout)")
        #expect(listing.stdout.hasSuffix("555 \(contents.count)\n"), "\(listing.stdout)")
    }

    @Test func archivedFilesKeepOwnersDirectoriesAndLongPaths() async throws {
        let directory = try TemporaryDirectory()
        let deep = "/srv/" + String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 60) + "/data.txt"
        let archive = try TarArchive.archive([
            ContainerFile(path: "/srv/kept", mode: 0o750, contents: [], uid: 1000, gid: 1001, isDirectory: true),
            ContainerFile(path: deep, mode: 0o640, contents: Array("deep\n".utf8), uid: 1000, gid: 1000),
        ])
        try Data(archive).write(to: URL(fileURLWithPath: directory.path + "/a.tar"))
        let listing = try await host("cd \(directory.path) && tar --numeric-owner -tvf a.tar && tar -xf a.tar --no-same-owner && cat .\(deep)")
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("drwxr-x--- 1000/1001") && listing.stdout.contains("srv/kept/"), "\(listing.stdout)")
        #expect(listing.stdout.contains("-rw-r----- 1000/1000") && listing.stdout.contains(String(deep.dropFirst())), "\(listing.stdout)")
        #expect(listing.stdout.hasSuffix("deep\n"))
        // A last part over 100 bytes, or a path over 255, fits no ustar header: refused, not truncated.
        #expect(throws: TarArchive.NameTooLong.self) {
            try TarArchive.archive([ContainerFile(path: "/srv/" + String(repeating: "x", count: 101), mode: 0o644, contents: [])])
        }
        #expect(throws: TarArchive.NameTooLong.self) {
            try TarArchive.archive([ContainerFile(path: String(repeating: "/abcdefghi", count: 26), mode: 0o644, contents: [])])
        }
        let bzhNamed = try TarArchive.archive([ContainerFile(path: "BZh-notes", mode: 0o644, contents: [])])
        #expect(ArchiveCompression(bzhNamed) == .none, "a plain tar whose first name starts like bzip2's magic")
        #expect(ArchiveCompression([0x1F, 0x8B, 8]) == .gzip && ArchiveCompression(Array("BZh9".utf8)) == .bzip2
                && ArchiveCompression([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) == .xz && ArchiveCompression(archive) == .none)
    }

    @Test func networkModesMapToEngineNetworks() throws {
        let none = dockerLayout(sessionID: "n", workshop: try Self.workshop(busyboxSpec()), expiresAt: Date(), stateFile: "/x")
        #expect(none.network == nil && none.containers[0].network == "none" && !none.needsPortGateway)
        let internet = dockerLayout(sessionID: "i", workshop: try Self.workshop(busyboxSpec(network: "internet", containers: """
                - name: web
                  image: nalabo/busybox:test
                  ports: [80]
            """)), expiresAt: Date(), stateFile: "/x")
        #expect(internet.network?.isInternal == false && internet.containers[0].ports == [80] && !internet.needsPortGateway)
        #expect(internet.network?.bridgeName == "nlbi" && internet.network?.hostAddress == true)
    }
}

/// How scripts reach the container and how their results are judged.
@Suite struct ScriptTests {
    @Test func theInterpreterComesFromTheShebangOrTheShell() {
        #expect(ScriptWrapper.interpreter(for: "#!/usr/bin/env python3\nprint(1)", shell: "/bin/bash") == ["/usr/bin/env", "python3"])
        #expect(ScriptWrapper.interpreter(for: "#!/bin/sh -eu\r\nexit 0", shell: "/bin/bash") == ["/bin/sh", "-eu"])
        #expect(ScriptWrapper.interpreter(for: "echo hi", shell: "/bin/bash") == ["/bin/bash"])
        #expect(ScriptWrapper.interpreter(for: "#!\n", shell: "/bin/zsh") == ["/bin/zsh"])
    }

    @Test func longScriptsAreCutIntoArgumentsOnCharacterBoundaries() {
        let text = String(repeating: "é€😀a", count: 30_000)
        let chunks = ScriptWrapper.chunk(text)
        #expect(chunks.count > 1)
        #expect(chunks.allSatisfy { $0.utf8.count <= ScriptWrapper.chunkSize })
        #expect(chunks.joined() == text)
        #expect(ScriptWrapper.chunk("") == [""])
    }

    static func check(_ yaml: String) throws -> Check {
        let workshop = try BlueprintTests.workshop(busyboxSpec(challenges: """
                  - id: c
                    title: C
                    checks:
            \(yaml.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n"))
            """))
        return try #require(workshop.challenges.first?.checks.first)
    }

    static func outcome(exit: Int?, stdout: String = "", timedOut: Bool = false, oom: Bool = false) -> ScriptOutcome {
        var out = CappedOutput(limit: 1000)
        out.append(Array(stdout.utf8))
        return ScriptOutcome(exitCode: exit, timedOut: timedOut, outOfMemory: oom, stdout: out, stderr: CappedOutput(limit: 10), duration: .milliseconds(1500))
    }

    @Test func expectationsDecideAndExplain() throws {
        let plain = try Self.check("- run: 'true'\n  points: 3\n  fail_message: Try again.")
        let passed = CheckResult(check: plain, outcome: Self.outcome(exit: 0))
        #expect(passed.passed && passed.points == 3 && passed.failMessage == nil && passed.seconds == 1.5)
        let failed = CheckResult(check: plain, outcome: Self.outcome(exit: 1, stdout: "FAIL: no file\nother\nFAIL:  second\n"))
        #expect(!failed.passed && failed.points == 0 && failed.reason == "exited with status 1")
        #expect(failed.failMessage == "Try again." && failed.failLines == ["no file", "second"])
        #expect(CheckResult(check: plain, outcome: Self.outcome(exit: 137)).reason == "exited with status 137 (killed by signal 9)")
        #expect(CheckResult(check: plain, outcome: Self.outcome(exit: 137, oom: true)).reason == "a process was killed because the container ran out of memory")
        let timedOut = CheckResult(check: plain, outcome: Self.outcome(exit: nil, timedOut: true))
        #expect(timedOut.timedOut && timedOut.reason?.hasPrefix("timed out after") == true)

        let exact = try Self.check("- run: echo\n  expect: {stdout: \"42\"}")
        #expect(CheckResult(check: exact, outcome: Self.outcome(exit: 0, stdout: "42\n")).passed)
        #expect(CheckResult(check: exact, outcome: Self.outcome(exit: 0, stdout: "42\n\n")).reason == #"printed "42\n", expected "42""#)
        let contains = try Self.check("- run: echo\n  expect: {stdout_contains: ok, exit: 3}")
        #expect(CheckResult(check: contains, outcome: Self.outcome(exit: 3, stdout: "all ok")).passed)
        #expect(CheckResult(check: contains, outcome: Self.outcome(exit: 0, stdout: "all ok")).reason == "exited with status 0, expected 3")
        #expect(CheckResult(check: contains, outcome: Self.outcome(exit: 3, stdout: "nope")).reason == #"its output does not contain "ok""#)
        let matches = try Self.check(#"- run: echo"# + "\n" + #"  expect: {stdout_matches: '^6\d\d\s*$'}"#)
        #expect(CheckResult(check: matches, outcome: Self.outcome(exit: 0, stdout: "600\n")).passed)
        #expect(CheckResult(check: matches, outcome: Self.outcome(exit: 0, stdout: "644x")).passed == false)
    }

    /// A failing check with no FAIL: line shows the end of its output; `show_output: false` hides all of it.
    @Test func aFailingCheckShowsTheEndOfItsOutputUnlessHidden() throws {
        let shown = try Self.check("- run: make")
        let printed = (1...14).map { "line \($0)" }.joined(separator: "\n") + "\n\n" + String(repeating: "x", count: 300) + "\n"
        let failed = CheckResult(check: shown, outcome: Self.outcome(exit: 2, stdout: printed))
        #expect(failed.outputTail?.count == CheckResult.tailLines)
        #expect(failed.outputTail?.first == "line 6")
        #expect(failed.outputTail?.last?.count == CheckResult.tailWidth && failed.outputTail?.last?.hasSuffix("…") == true)
        #expect(CheckResult(check: shown, outcome: Self.outcome(exit: 0, stdout: printed)).outputTail == nil, "a pass shows nothing")
        #expect(CheckResult(check: shown, outcome: Self.outcome(exit: 1, stdout: "FAIL: no file\nnoise\n")).outputTail == nil,
                "FAIL: lines say it instead")

        let hidden = try Self.check("- run: cat /srv/answer\n  show_output: false\n  expect: {stdout: \"42\"}")
        let secret = CheckResult(check: hidden, outcome: Self.outcome(exit: 0, stdout: "41\nFAIL: not yet\n"))
        #expect(!secret.passed && secret.outputTail == nil && secret.stdout.isEmpty && secret.stderr.isEmpty)
        #expect(secret.reason == "its output is not the expected one" && secret.failLines == ["not yet"])
    }

    @Test func cappedOutputKeepsTheStartAndCountsTheRest() {
        var output = CappedOutput(limit: 5)
        output.append(Array("abc".utf8))
        output.append(Array("defgh".utf8))
        #expect(output.text == "abcde" && output.droppedBytes == 3 && output.isTruncated)
    }

    @Test func junitReportsAreWellFormedAndCountFailures() throws {
        let ok = ChallengeTestResult(challenge: "a<b", passed: true, failedPhase: nil, problem: nil, seconds: 0.5, before: [], after: [])
        let bad = ChallengeTestResult(challenge: "c", passed: false, failedPhase: .checksBeforeSolve, problem: "all \"pass\" & \u{1}", seconds: 1, before: [], after: [])
        let run = WorkshopTestRun(workshop: "w@1.0.0", source: "w", run: 1, session: "s", sessionProblem: nil, upSeconds: 1, challenges: [ok, bad], seconds: 3)
        let broken = WorkshopTestRun(workshop: "x@1.0.0", source: "x", run: 1, session: nil, sessionProblem: "no image", upSeconds: 0, challenges: [], seconds: 0.1)
        let xml = JUnitReport.xml([run, broken])
        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        let failures = try root.nodes(forXPath: "//failure")
        #expect(failures.count == 2)
        #expect(failures.first?.stringValue == "all \"pass\" & ?")
        #expect(try root.nodes(forXPath: "//testcase[@name='a<b']").count == 1)
    }
}

/// A Docker layout of a workshop, as the Docker backend builds it.
func dockerLayout(sessionID: String, workshop: Workshop, expiresAt: Date, stateFile: String, initVolume: String? = nil,
                  limitsDisk: Bool = false) -> DockerLayout {
    DockerLayout(plan: SessionPlan(sessionID: sessionID, workshop: workshop, expiresAt: expiresAt, stateFile: stateFile, origin: "/w"),
                 initVolume: initVolume, limitsDisk: limitsDisk)
}

/// Local session state: atomic, locked, per user.
@Suite struct SessionStoreTests {
    static func record(_ id: String, created: Date = Date()) -> LocalSession {
        LocalSession(id: id, status: .ready, createdAt: created, expiresAt: created.addingTimeInterval(60),
                     workshop: .init(slug: "s", version: "1.0.0", title: "S", digest: "sha256:x", source: "/w"),
                     backend: BackendLocator(kind: .docker, address: "unix:///var/run/docker.sock"), handle: nil, containers: [],
                     progress: [:], catalogueSession: nil)
    }

    @Test func aRecordOfAnEarlierNalaboIsReadIntoABackendHandle() throws {
        let directory = try TemporaryDirectory()
        let store = SessionStore(directory: URL(fileURLWithPath: directory.path))
        try store.create(Self.record("0123456789"), bundle: "{}")
        // What nalabo wrote before session backends: Docker ids and the API version in the record itself.
        let old = #"""
            {"id":"0123456789","status":"ready","createdAt":"2026-11-25T00:39:45Z","expiresAt":"2026-11-25T01:39:45Z",
             "workshop":{"slug":"s","version":"1.0.0","title":"S","digest":"sha256:x","source":"/w"},
             "endpoint":"unix:///var/run/docker.sock","networks":["nalabo-0123456789"],
             "containers":[{"name":"box","engineName":"nalabo-0123456789-box","engineID":"2d0149d7aa","ports":[{"port":80,"hostIP":"127.0.0.1","hostPort":32779}]}],
             "gatewayID":"27ac0493bb","progress":{},"apiVersion":"1.41"}
            """#
        try Data(old.utf8).write(to: URL(fileURLWithPath: store.recordPath("0123456789")))
        let record = try #require(try store.load("0123456789"))
        #expect(record.backend == BackendLocator(kind: .docker, address: "unix:///var/run/docker.sock"))
        #expect(record.handle?.members == ["box": "2d0149d7aa"])
        #expect(record.handle?.state == ["apiVersion": "1.41", "gateway": "27ac0493bb"])
        #expect(record.containers == [LocalSession.ContainerInfo(name: "box", ports: [.init(port: 80, hostIP: "127.0.0.1", hostPort: 32779)])])
        // A damaged record still says what is wrong with it.
        try Data("{\"id\": 3}".utf8).write(to: URL(fileURLWithPath: store.recordPath("0123456789")))
        #expect(throws: SessionStore.Failure.self) { try store.load("0123456789") }
    }

    @Test func theStateDirectoryFollowsXDG() {
        #expect(SessionStore.standard(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/a"]).directory.path == "/x/state/nalabo/sessions")
        #expect(SessionStore.standard(environment: ["HOME": "/home/a"]).directory.path == "/home/a/.local/state/nalabo/sessions")
        // A relative XDG_STATE_HOME is invalid by the specification and ignored.
        #expect(SessionStore.standard(environment: ["XDG_STATE_HOME": "rel", "HOME": "/home/a"]).directory.path == "/home/a/.local/state/nalabo/sessions")
    }

    @Test func concurrentUpdatesAreNeverLost() async throws {
        let directory = try TemporaryDirectory()
        let store = SessionStore(directory: URL(fileURLWithPath: directory.path))
        try store.create(Self.record("abc"), bundle: "{}")
        #expect(throws: SessionStore.Failure.self) { try store.create(Self.record("abc"), bundle: "{}") }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try? store.update("abc") { $0.progress["c", default: ChallengeProgress()].attempts += 1 }
                }
            }
        }
        #expect(try store.load("abc")?.progress["c"]?.attempts == 40)
        #expect(try store.bundle("abc") == "{}")
        // No temporary files are left beside the record.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/abc").sorted()
        #expect(names == ["bundle.json", "lock", "session.json"])
        try store.create(Self.record("older", created: Date(timeIntervalSinceNow: -100)), bundle: "{}")
        #expect(store.all().sessions.map(\.id) == ["abc", "older"])
        try store.remove("abc")
        #expect(try store.load("abc") == nil)
    }

    @Test func aDamagedRecordIsReportedNotFatal() throws {
        let directory = try TemporaryDirectory()
        let store = SessionStore(directory: URL(fileURLWithPath: directory.path))
        try directory.write("broken/session.json", "{not json")
        let (sessions, problems) = store.all()
        #expect(sessions.isEmpty && problems.count == 1 && problems[0].contains("nalabo prune"))
    }
}

extension ScriptTests {
    @Test func batchFramesAreReadByTheirByteCounts() {
        let limit = 4
        var output = Array("nalabo:frame:0:0:3:3:0:0:0:0\nnalabo:frame:1:124:10:4:2:2:1:0\nnalabo:frame:2:1:5:4:0:0:0:1\nnalabo:data\n".utf8)
        output += Array("abc".utf8) + Array("nala".utf8) + Array("e\n".utf8) + Array("xy".utf8)  // the third is cut off
        let frames = ScriptWrapper.frames(output, limit: limit)
        #expect(frames == [
            .init(status: 0, stdout: Array("abc".utf8), stdoutBytes: 3, stderr: [], stderrBytes: 0),
            .init(status: 124, stdout: Array("nala".utf8), stdoutBytes: 10, stderr: Array("e\n".utf8), stderrBytes: 2, timedOut: true),
        ])
        // Headers out of order, malformed, negative, over the limit, or without the data line give nothing.
        #expect(ScriptWrapper.frames(Array("nalabo:frame:1:0:0:0:0:0:0:0\nnalabo:data\n".utf8), limit: 4).isEmpty)
        #expect(ScriptWrapper.frames(Array("garbage\nnalabo:data\n".utf8), limit: 4).isEmpty)
        #expect(ScriptWrapper.frames(Array("nalabo:frame:0:0:0:0:0:0:0:0\n".utf8), limit: 4).isEmpty)
        #expect(ScriptWrapper.frames(Array("nalabo:frame:0:0:-5:-5:0:0:0:0\nnalabo:data\n".utf8), limit: 4).isEmpty)
        #expect(ScriptWrapper.frames(Array("nalabo:frame:0:0:9:9:0:0:0:0\nnalabo:data\n123456789".utf8), limit: 4).isEmpty)
    }
}
