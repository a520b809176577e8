import Foundation
import WorkshopSpec

/// A file (or directory) to write into a container (``ContainerEngine/copyFiles(_:into:at:)``).
public struct ContainerFile: Sendable, Equatable {
    /// The path below the directory it is copied into.
    public var path: String
    /// Permission bits, such as 0o555.
    public var mode: Int
    public var contents: [UInt8]
    public var uid = 0
    public var gid = 0
    /// A directory (its contents are ignored) rather than a regular file.
    public var isDirectory = false

    public init(path: String, mode: Int, contents: [UInt8], uid: Int = 0, gid: Int = 0, isDirectory: Bool = false) {
        self.path = path
        self.mode = mode
        self.contents = contents
        self.uid = uid
        self.gid = gid
        self.isDirectory = isDirectory
    }
}

/// The POSIX ustar archive the Engine API's `PUT /containers/{id}/archive` takes (and `tar -x` reads): regular
/// files and directories with their modes and numeric owners, extracted below the request's directory.
enum TarArchive {
    /// A path that no ustar header can hold: longer than 255 bytes, or with a last part over 100.
    struct NameTooLong: Error, CustomStringConvertible {
        var path: String
        var description: String { "the path '\(path)' is too long for a tar archive (at most 255 bytes, 100 after the last '/')" }
    }

    static func archive(_ files: [ContainerFile], modified: Date = Date()) throws -> [UInt8] {
        var archive: [UInt8] = []
        for file in files {
            let contents = file.isDirectory ? [] : file.contents
            archive += try header(for: file, size: contents.count, modified: Int(modified.timeIntervalSince1970))
            archive += contents
            archive += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
        }
        archive += [UInt8](repeating: 0, count: 1024)  // two zero blocks end the archive
        return archive
    }

    /// The ustar name and prefix fields of a path: the name alone when it fits 100 bytes, else split at a '/'.
    static func split(_ path: String) -> (prefix: String, name: String)? {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        guard bytes.count <= 255 else { return nil }
        // The prefix is at most 155 bytes and the name at most 100; the '/' between them is implied.
        for index in stride(from: min(155, bytes.count - 1), through: 1, by: -1) where bytes[index] == UInt8(ascii: "/") {
            if bytes.count - index - 1 <= 100, bytes.count - index - 1 > 0 {
                return (String(decoding: bytes[..<index], as: UTF8.self), String(decoding: bytes[(index + 1)...], as: UTF8.self))
            }
        }
        return nil
    }

    /// The 512-byte header.
    private static func header(for file: ContainerFile, size: Int, modified: Int) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            put(String(value, radix: 8).leftPadded(to: width - 1), at: offset, width: width - 1)
        }
        var path = file.path
        while path.hasPrefix("/") { path.removeFirst() }
        if file.isDirectory, !path.hasSuffix("/") { path += "/" }
        guard let (prefix, name) = split(path) else { throw NameTooLong(path: file.path) }
        put(name, at: 0, width: 100)
        octal(file.mode & 0o7777, at: 100, width: 8)
        octal(file.uid, at: 108, width: 8)
        octal(file.gid, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(modified, at: 136, width: 12)
        block[156] = UInt8(ascii: file.isDirectory ? "5" : "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        if file.uid == 0 { put("root", at: 265, width: 32) }  // names only for root; others are numeric
        if file.gid == 0 { put("root", at: 297, width: 32) }
        put(prefix, at: 345, width: 155)
        // The checksum is computed with its own field as spaces.
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(to: 6), at: 148, width: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }
}

extension ContainerFile {
    /// The entries of `files:` that are written as they are (not unpacked), paths below `/`.
    static func entries(writing files: [FileCopy]) -> [ContainerFile] {
        files.map { file in
            ContainerFile(path: file.target, mode: file.mode ?? FileCopy.defaultMode, contents: file.bytes, uid: file.owner.uid, gid: file.owner.gid)
        }
    }
}

/// How an archive that `files:` unpacks is compressed, told by its first bytes (for `tar`, which cannot tell on a pipe).
enum ArchiveCompression: String {
    case none, gzip, bzip2, xz

    init(_ bytes: [UInt8]) {
        if bytes.count >= 262, bytes[257..<262].elementsEqual("ustar".utf8) {
            self = .none  // a plain tar whose first name happens to start like a compressor's magic
        } else if bytes.starts(with: [0x1F, 0x8B]) {
            self = .gzip
        } else if bytes.starts(with: Array("BZh".utf8)) {
            self = .bzip2
        } else if bytes.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            self = .xz
        } else {
            self = .none
        }
    }
}
