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

        func write(_ text: String) {
            handle.write(Data(text.utf8))
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
