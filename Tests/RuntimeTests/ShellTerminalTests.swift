import Foundation
import Testing
@testable import Runtime

/// `nalabo shell` in a real terminal: tmux gives it one, types into it and reads the screen back.
@Suite struct ShellTerminalTests {
    /// Through the docker CLI, and through nalabo's own terminal connection (what runs without the CLI).
    @Test(arguments: [false, true]) func theShellIsInteractiveInARealTerminal(native: Bool) async throws {
        let lab = try Lab(busyboxSpec(slug: "terminal"))
        let id = try await lab.nalabo(["up", lab.path, "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tmux = "nalabo-shell-\(id)"
        let command = "env XDG_STATE_HOME='\(lab.state.path)' '\(Nalabo.executable)' shell --session \(id)\(native ? " --native" : "")"
        do {
            #expect(try await host("tmux new-session -d -s \(tmux) -x 120 -y 30 \"\(command)\"").status == 0)
            // Type into the container's shell the way a learner would, then read the screen.
            var screen = ""
            for attempt in 0..<50 {
                if attempt == 5 { _ = try await host("tmux send-keys -t \(tmux) 'echo answer-$((6*7)); hostname' Enter") }
                try await Task.sleep(for: .milliseconds(200))
                screen = try await host("tmux capture-pane -p -t \(tmux)").stdout
                if screen.contains("answer-42") && screen.contains("\nbox") { break }
            }
            #expect(screen.contains("answer-42"), "screen:\n\(screen)")
            #expect(screen.contains("\nbox"), "the container's hostname is its name in the workshop; screen:\n\(screen)")
            // The terminal is a real one inside the container, with the window's size.
            _ = try await host("tmux send-keys -t \(tmux) 'echo size-$(stty size | tr \\  x)' Enter")
            for _ in 0..<25 {
                try await Task.sleep(for: .milliseconds(200))
                screen = try await host("tmux capture-pane -p -t \(tmux)").stdout
                if screen.contains("size-30x120") { break }
            }
            #expect(screen.contains("size-30x120"), "screen:\n\(screen)")
            _ = try await host("tmux send-keys -t \(tmux) 'exit' Enter")
            for _ in 0..<25 {
                try await Task.sleep(for: .milliseconds(200))
                if try await host("tmux has-session -t \(tmux) 2>/dev/null").status != 0 { break }
            }
            #expect(try await host("tmux has-session -t \(tmux) 2>/dev/null").status != 0, "the shell did not end with exit")
        } catch {
            _ = try? await host("tmux kill-session -t \(tmux)")
            _ = try? await lab.nalabo(["down", "-q"])
            throw error
        }
        _ = try? await host("tmux kill-session -t \(tmux) 2>/dev/null")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test(arguments: [false, true]) func pipedCommandsRunAndTheShellsStatusIsReturned(native: Bool) async throws {
        let lab = try Lab(busyboxSpec(slug: "piped"))
        #expect(try await lab.nalabo(["up", lab.path, "-q"]).status == 0)
        let script = "printf 'echo piped-$((40+2))\\nexit 3\\n' | \"$0\" shell\(native ? " --native" : "")"
        let result = try await Nalabo.executeProcess("/bin/sh", ["-c", script, Nalabo.executable], environment: lab.environment)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.contains("piped-42"), "\(result.stdout)")
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }

    @Test func aMissingContainerIsNamed() async throws {
        let lab = try Lab(busyboxSpec(slug: "terminal-missing"))
        #expect(try await lab.nalabo(["up", lab.path, "-q"]).status == 0)
        let result = try await lab.nalabo(["shell", "nosuch"])
        #expect(result.status == 7)
        #expect(result.stderr.contains("this workshop has no container nosuch; its containers: box"))
        #expect(try await lab.nalabo(["down", "-q"]).status == 0)
    }
}
