import ArgumentParser

/// The exit codes every nalabo command uses; docs/cli.md lists them.
enum ExitStatus {
    /// Problems were found: validation errors, or warnings under `--strict`.
    static let problemsFound: Int32 = 1
    /// The command could not run: bad arguments, a missing path, an unwritable output.
    static let couldNotRun: Int32 = 2
}

/// A failure the user can fix; the message says what, where and how.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32 = ExitStatus.couldNotRun

    init(_ message: String, status: Int32 = ExitStatus.couldNotRun) {
        self.message = message
        self.status = status
    }

    var description: String { message }
}

extension CommandFailure {
    /// Prints the message and turns the failure into an exit code.
    func exit() -> ExitCode {
        Terminal.standardError.write("error: \(message)\n")
        return ExitCode(status)
    }
}
