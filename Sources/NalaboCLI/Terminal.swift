import Foundation

/// What nalabo knows about where its output goes.
enum Terminal {
    /// Whether standard output is a terminal.
    static var outputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Colour only on a terminal, never with NO_COLOR set (no-color.org) or TERM=dumb.
    static func wantsColor(for descriptor: Int32 = STDOUT_FILENO) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(descriptor) == 1
    }

    static let standardError = Output(handle: FileHandle.standardError)
    static let standardOutput = Output(handle: FileHandle.standardOutput)

    struct Output: Sendable {
        let handle: FileHandle

        /// Writes all of `text`. A reader that went away (`nalabo check | head`) ends the program quietly, as
        /// with any Unix filter; FileHandle.write would trap on EPIPE instead.
        func write(_ text: String) {
            var bytes = Array(text.utf8)[...]
            let descriptor = handle.fileDescriptor
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    if errno == EPIPE { exit(0) }
                    return
                }
                bytes = bytes.dropFirst(written)
            }
        }
    }
}

/// `--color auto|always|never`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func resolve(for descriptor: Int32 = STDOUT_FILENO) -> Bool {
        switch self {
        case .auto: Terminal.wantsColor(for: descriptor)
        case .always: true
        case .never: false
        }
    }
}

import ArgumentParser
