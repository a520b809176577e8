/// A file put into a container (`files:`): written at its target, or an archive unpacked below it. A
/// container's files are copied when it starts, a step's when the learner enters it, a challenge's when it
/// starts (docs/spec.md, "Files").
public struct FileCopy: Sendable {
    /// The container it goes into; filled in when the workshop has exactly one (or it is a container's own).
    @Located public var container: String
    public var source: FileSource
    /// The file's path, or with ``extract`` the directory the archive is unpacked into.
    @Located public var target: String
    /// The written file's permission bits; nil with ``extract``, whose entries keep their own.
    public var mode: Int?
    /// Who owns the written file; with ``extract``, an owner other than root is given to the target and what is unpacked into it.
    public var owner: FileOwner
    /// Whether the source is a tar archive (plain, gzip, bzip2 or xz) to unpack into ``target``.
    public var extract: Bool
    /// Where the file's mapping starts.
    public var location: SourceLocation

    /// The mode a written file gets when none is given.
    public static let defaultMode = 0o644

    /// The bytes to write.
    public var bytes: [UInt8] { source.bytes }
}

/// Where a copied file's bytes come from. Files are read at load time, so the model always holds the bytes.
public enum FileSource: Sendable, Hashable {
    case inline(String)
    /// A file of the workshop, which may be binary.
    case file(path: String, bytes: [UInt8])

    public var bytes: [UInt8] {
        switch self {
        case .inline(let text): Array(text.utf8)
        case .file(_, let bytes): bytes
        }
    }

    /// The bytes as text when a bundle can hold them as a string that reads back the same: UTF-8 of at most
    /// 256 KiB without control characters other than tab and newline (no CR, no escape). Anything else — a
    /// binary, a CRLF file, a large file — is bundled as base64 (nil).
    public static func text(of bytes: [UInt8]) -> String? {
        guard bytes.count <= ParseLimits.standard.maxScalarBytes, !bytes.contains(where: YAMLParser.isForbiddenInValue),
              YAMLParser.firstInvalidUTF8Offset(bytes) == nil else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A numeric owner, `UID` or `UID:GID` (names cannot be resolved before the container runs).
public struct FileOwner: Sendable, Hashable, CustomStringConvertible {
    public var uid: Int
    public var gid: Int

    public init(uid: Int, gid: Int) {
        self.uid = uid
        self.gid = gid
    }

    /// root, 0:0.
    public static let root = FileOwner(uid: 0, gid: 0)

    /// The largest id a tar header holds (7 octal digits), so the largest `files:` can give.
    public static let maxID = 0o7777777

    /// Parses `UID` (the group is the same number) or `UID:GID`, each 0 to ``maxID``.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let ids = parts.compactMap { part in part.allSatisfy(\.isASCIIDigit) ? Int(part) : nil }
        guard (1...2).contains(parts.count), ids.count == parts.count, ids.allSatisfy({ $0 <= Self.maxID }) else { return nil }
        self.init(uid: ids[0], gid: ids.last ?? ids[0])
    }

    public var description: String { "\(uid):\(gid)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension FileCopy {
    /// What is wrong with a target path, nil when a tar header can hold it and it names a file or a directory:
    /// not `/` itself, no trailing `/`, no empty, `.` or `..` part, at most 255 bytes after the leading `/` with at
    /// most 100 after the last one (that it is absolute is its format's check).
    public static func targetProblem(_ target: String) -> String? {
        let parts = target.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if target == "/" { return "'/' is the root directory, not a file or a directory to write" }
        if target.hasSuffix("/") { return "it ends with '/'; name the file or directory without it" }
        if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) { return "it has an empty, '.' or '..' part" }
        if target.utf8.count > 256 || (parts.last?.utf8.count ?? 0) > 100 {
            return "it is longer than a tar archive holds (255 bytes, 100 after the last '/')"
        }
        return nil
    }
}

/// File permission bits written in octal (`"0644"`, `"755"`).
public enum FileMode {
    /// The bits of an octal mode of 3 or 4 digits, nil when the text is not one.
    public static func parse(_ text: String) -> Int? {
        guard (3...4).contains(text.count), text.allSatisfy({ ("0"..."7").contains($0) }) else { return nil }
        return Int(text, radix: 8)
    }

    /// The mode as 4 octal digits.
    public static func text(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
