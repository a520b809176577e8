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
    /// Who owns what is written (with ``extract``, the target and everything unpacked into it); root by default.
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

    /// The bytes as text when they are UTF-8 without NUL, the rule for text files (nil for binary ones).
    public static func text(of bytes: [UInt8]) -> String? {
        guard !bytes.contains(0), YAMLParser.firstInvalidUTF8Offset(bytes) == nil else { return nil }
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

    /// Parses `UID` (the group is the same number) or `UID:GID`, each 0 to 2³¹−1.
    /// root, 0:0.
    public static let root = FileOwner(uid: 0, gid: 0)

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let ids = Optional(parts.compactMap { part in part.allSatisfy(\.isASCIIDigit) ? Int(part) : nil }),
              ids.count == parts.count, ids.allSatisfy({ $0 <= Int(Int32.max) }) else { return nil }
        self.init(uid: ids[0], gid: ids.last ?? ids[0])
    }

    public var description: String { "\(uid):\(gid)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
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
