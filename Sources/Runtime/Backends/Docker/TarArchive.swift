import Foundation
import WorkshopSpec

/// A file to write into a container (``ContainerEngine/copyFiles(_:into:at:)``).
public struct ContainerFile: Sendable, Equatable {
    /// The path below the directory it is copied into.
    public var path: String
    /// Permission bits, such as 0o555.
    public var mode: Int
    public var contents: [UInt8]

    public init(path: String, mode: Int, contents: [UInt8]) {
        self.path = path
        self.mode = mode
        self.contents = contents
    }
}

/// The POSIX ustar archive the Engine API's `PUT /containers/{id}/archive` takes: regular files owned by root,
/// extracted below the request's directory.
enum TarArchive {
    static func archive(_ files: [ContainerFile], modified: Date = Date()) -> [UInt8] {
        var archive: [UInt8] = []
        for file in files {
            archive += header(for: file, modified: Int(modified.timeIntervalSince1970))
            archive += file.contents
            archive += [UInt8](repeating: 0, count: (512 - file.contents.count % 512) % 512)
        }
        archive += [UInt8](repeating: 0, count: 1024)  // two zero blocks end the archive
        return archive
    }

    /// The 512-byte header; names up to 100 bytes (nalabo's own files).
    private static func header(for file: ContainerFile, modified: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            put(String(value, radix: 8).leftPadded(to: width - 1), at: offset, width: width - 1)
        }
        let name = file.path.hasPrefix("/") ? String(file.path.dropFirst()) : file.path
        precondition(name.utf8.count <= 100, "nalabo's own file names fit a ustar header")
        put(name, at: 0, width: 100)
        octal(file.mode & 0o7777, at: 100, width: 8)
        octal(0, at: 108, width: 8)  // uid
        octal(0, at: 116, width: 8)  // gid
        octal(file.contents.count, at: 124, width: 12)
        octal(modified, at: 136, width: 12)
        block[156] = UInt8(ascii: "0")  // a regular file
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)  // owner and group names
        put("root", at: 297, width: 32)
        // The checksum is computed with its own field as spaces.
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(to: 6), at: 148, width: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }
}
