import Foundation
@testable import Runtime
import Testing

/// The shell nalabo runs inside containers (Sources/Runtime/Scripts, embedded at build time): linted with
/// shellcheck and run on the host with the two shells learner images have, dash and busybox sh.
@Suite struct EmbeddedScriptTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Runtime/Scripts").standardized.path

    static let shells = [["/bin/dash"], ["/bin/busybox", "sh"]]

    @Test func everyScriptPassesShellcheck() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".sh") }.sorted()
        #expect(files.count >= 7, "\(files)")
        let result = try await host("cd '\(Self.directory)' && shellcheck --shell=sh --severity=style \(files.joined(separator: " "))")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func theEmbeddedTextIsTheFilesText() throws {
        let embedded = ["run.sh": EmbeddedScripts.run, "batch.sh": EmbeddedScripts.batch, "sweep.sh": EmbeddedScripts.sweep,
                        "keep-alive.sh": EmbeddedScripts.keepAlive, "port-gateway.sh": EmbeddedScripts.portGateway,
                        "oom-kills.sh": EmbeddedScripts.oomKills, "hosts.sh": EmbeddedScripts.hosts,
                        "copy-files.sh": EmbeddedScripts.copyFiles]
        for (file, text) in embedded {
            let onDisk = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
            #expect(text + "\n" == onDisk, "\(file) differs from what was embedded")
        }
    }

    /// Runs the wrapper as the script runner does: `sh -c WRAPPER nalabo-run ARGS...`.
    func wrapped(_ shell: [String], _ script: String, timeout: Int, sweep: Bool = false) async throws -> CommandResult {
        let id = UUID().uuidString.lowercased()
        let arguments = ScriptWrapper.arguments(id: id, timeoutSeconds: timeout, sweep: sweep, text: script, interpreter: ["/bin/sh"])
        // As in a container's exec, file descriptor 9 is closed (a batch opens it for the wrapper's markers).
        return try await Nalabo.executeProcess("/bin/sh", ["-c", "exec 9>&-; exec \"$@\"", "sh"] + shell
                                                   + ["-c", ScriptWrapper.program, "nalabo-run"] + arguments)
    }

    @Test(arguments: shells) func theWrapperPassesOutputAndStatusThrough(shell: [String]) async throws {
        let result = try await wrapped(shell, "echo out; echo err >&2; exit 7", timeout: 10)
        #expect(result.status == 7)
        #expect(result.stdout == "out\n" && result.stderr == "err\n", "\(result.stdout)|\(result.stderr)")
        // A shebang picks the interpreter; the script arrives on a pipe, never as a file.
        let shebang = try await wrapped(shell, "#!/bin/sh\ncase \"$0\" in /dev/fd/*) echo piped ;; *) echo \"$0\" ;; esac", timeout: 10)
        #expect(shebang.status == 0 && shebang.stdout == "piped\n", "\(shebang.stdout)\(shebang.stderr)")
    }

    @Test(arguments: shells) func theWrapperEndsAScriptAtItsTimeoutAndSaysSo(shell: [String]) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await wrapped(shell, "sleep 180; echo never", timeout: 1, sweep: true)
        // Generous: the whole suite runs beside it on two cores; without the watchdog it would take 180 s.
        #expect(clock.now - started < .seconds(90), "the watchdog did not end the script")
        #expect(result.status == 124 && !result.stdout.contains("never"))
        #expect(result.stderr.contains("nalabo:timeout:"), "\(result.stderr)")
    }

    /// The sweep finds a run's processes with grep, or with builtins only near the PID limit (where a shell that
    /// fails to fork exits): both ways kill exactly the run's processes.
    @Test(arguments: shells, [0, 99]) func theSweepKillsTheRunsProcessesAndNoOthers(shell: [String], room: Int) async throws {
        let script = EmbeddedScripts.sweep + """

            nalabo_room() { room=\(room); }
            NALABO_RUN=the-run sleep 60 & run=$!
            NALABO_RUN=another-run sleep 60 & other=$!
            nalabo_sweep the-run
            wait $run 2>/dev/null
            kill -0 $run 2>/dev/null && echo run-alive || echo run-gone
            kill -0 $other 2>/dev/null && echo other-alive || echo other-gone
            kill $other
            """
        let result = try await Nalabo.executeProcess(shell[0], Array(shell.dropFirst()) + ["-c", script, "sweep"])
        #expect(result.stdout == "run-gone\nother-alive\n", "\(result.stdout)\(result.stderr)")
    }

    @Test(arguments: shells) func theKeepAliveEndsAtTheExpiry(shell: [String]) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let expiry = Int(Date().timeIntervalSince1970) + 2
        let result = try await Nalabo.executeProcess(shell[0], Array(shell.dropFirst()) + ["-c", EmbeddedScripts.keepAlive, "keep-alive", String(expiry)])
        let elapsed = clock.now - started
        #expect(result.status == 0)
        // It would sleep on forever without its expiry; the bound is generous for a loaded machine.
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(90), "\(elapsed)")
    }

    @Test(arguments: shells) func hostEntriesAreAddedOnce(shell: [String]) async throws {
        // hosts.sh writes /etc/hosts; on the host it runs against a copy, with the path swapped.
        let directory = try TemporaryDirectory()
        let hosts = directory.path + "/hosts"
        try "127.0.0.1\tlocalhost\n10.0.0.5\tdb\n".write(toFile: hosts, atomically: true, encoding: .utf8)
        let script = EmbeddedScripts.hosts.replacingOccurrences(of: "/etc/hosts", with: hosts)
        let result = try await Nalabo.executeProcess(shell[0], Array(shell.dropFirst()) + ["-c", script, "hosts", "10.0.0.5", "db", "10.0.0.6", "web"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: hosts, encoding: .utf8) == "127.0.0.1\tlocalhost\n10.0.0.5\tdb\n10.0.0.6\tweb\n")
    }

    /// Kubernetes' older exec protocol cannot close standard input: the copy reads the archive's length and ends,
    /// though its standard input stays open (here a pipe whose writer waits 120 s after the archive).
    @Test(arguments: shells, ["none", "gzip"]) func copyFilesEndsAfterTheArchiveWithStandardInputStillOpen(shell: [String], compression: String) async throws {
        let work = try TemporaryDirectory()
        let shellWords = shell.map { "'\($0)'" }.joined(separator: " ")
        let script = """
            set -u; cd '\(work.path)'; mkdir -p src/inner; echo inside > src/inner/x.txt
            tar -c\(compression == "gzip" ? "z" : "")f archive -C src .
            mkfifo input; { cat archive; sleep 120; } > input 2>/dev/null & writer=$!
            timeout 60 \(shellWords) '\(Self.directory)/copy-files.sh' extract "$(wc -c < archive)" out/here \(compression) < input
            echo "status=$?"; cat out/here/inner/x.txt; kill "$writer" 2>/dev/null
            """
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await host(script)
        #expect(clock.now - started < .seconds(50), "the copy waited for an end of file")
        #expect(result.stdout == "status=0\ninside\n", "\(result.stdout)\(result.stderr)")
        let refused = try await Nalabo.executeProcess(shell[0], Array(shell.dropFirst()) + [Self.directory + "/copy-files.sh", "files", "many"])
        #expect(refused.status == 2 && refused.stderr.contains("size in bytes"), "\(refused.stderr)")
    }

    /// An archive's "./" entry does not change the target: an existing one keeps its mode (/tmp's sticky bit) and
    /// owner, a created one is 0755, as the Docker backend's archive upload leaves them.
    @Test(arguments: shells) func copyFilesLeavesTheTargetsModeAsItWas(shell: [String]) async throws {
        let work = try TemporaryDirectory()
        let run = "\(shell.map { "'\($0)'" }.joined(separator: " ")) '\(Self.directory)/copy-files.sh' extract \"$(wc -c < archive)\""
        let result = try await host("""
            set -e; cd '\(work.path)'; mkdir -p src/inner; echo inside > src/inner/x.txt; chmod 0644 src/inner/x.txt; chmod 0700 src
            tar -cf archive -C src .
            mkdir existing; chmod 1777 existing
            \(run) existing none < archive
            \(run) created/here none < archive
            stat -c '%a %n' existing created/here existing/inner/x.txt created/here/inner/x.txt
            """)
        #expect(result.stdout == "1777 existing\n755 created/here\n644 existing/inner/x.txt\n644 created/here/inner/x.txt\n",
                "\(result.stdout)\(result.stderr)")
    }
}
