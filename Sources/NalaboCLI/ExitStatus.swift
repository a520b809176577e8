import ArgumentParser
import Foundation

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

/// A file-system error in plain words: the POSIX reason when there is one ("No such file or directory").
func describe(_ error: Error) -> String {
    let error = error as NSError
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
    // Foundation on Linux often reports only its own code; name the POSIX reason it stands for.
    let reasons: [CocoaError.Code: Int32] = [
        .fileNoSuchFile: ENOENT, .fileReadNoSuchFile: ENOENT, .fileWriteNoPermission: EACCES, .fileReadNoPermission: EACCES,
        .fileWriteOutOfSpace: ENOSPC, .fileWriteVolumeReadOnly: EROFS, .fileWriteFileExists: EEXIST,
    ]
    if error.domain == NSCocoaErrorDomain, let code = reasons[CocoaError.Code(rawValue: error.code)] {
        return String(cString: strerror(code))
    }
    return error.localizedDescription
}

extension CommandFailure {
    /// The failure to throw; ``Nalabo/runCommandLine()``, the one top-level handler, prints it (`error: ...`)
    /// and exits with its status.
    func exit() -> CommandFailure { self }
}
