#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory a spec lives in: resolves the files it references, keeping them inside it.
///
/// A reference must be relative, must not use `..`, must not escape through a symlink, and must name a
/// regular file: UTF-8 text of at most ``maxFileBytes`` for specs, scripts and instructions, any bytes up to
/// ``maxCopiedFileBytes`` for `files:`. Files are read once; ``referencedBytes`` counts each distinct file
/// once, for the plan's bundle limit.
public final class WorkshopDirectory: WorkshopFiles {
    /// The largest referenced text file.
    public static let maxFileBytes = 256 << 10
    /// The largest file `files:` copies (the plan's bundle limit usually binds first).
    public static let maxCopiedFileBytes = 64 << 20

    public let path: String
    private var cache: [String: Result<String, FileReferenceProblem>] = [:]
    private var byteCache: [String: Result<[UInt8], FileReferenceProblem>] = [:]
    private var counted: Set<String> = []
    public private(set) var referencedBytes = 0

    public init(path: String) {
        self.path = path.isEmpty ? "." : path
    }

    /// The text of a referenced file, or the problem with the reference.
    public func read(_ reference: String) -> Result<String, FileReferenceProblem> {
        if let cached = cache[reference] { return cached }
        let result = load(reference, limit: Self.maxFileBytes).flatMap { bytes -> Result<String, FileReferenceProblem> in
            if let offset = YAMLParser.firstInvalidUTF8Offset(bytes) { return .failure(.notUTF8(offset: offset)) }
            if bytes.contains(0) { return .failure(.binary) }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
        if case .success(let text) = result, counted.insert(reference).inserted { referencedBytes += text.utf8.count }
        cache[reference] = result
        return result
    }

    /// The bytes of a file `files:` copies, text or binary, or the problem with the reference.
    public func bytes(_ reference: String) -> Result<[UInt8], FileReferenceProblem> {
        if let cached = byteCache[reference] { return cached }
        let result = load(reference, limit: Self.maxCopiedFileBytes)
        if case .success(let bytes) = result, counted.insert(reference).inserted { referencedBytes += bytes.count }
        byteCache[reference] = result
        return result
    }

    private func load(_ reference: String, limit: Int) -> Result<[UInt8], FileReferenceProblem> {
        guard !reference.hasPrefix("/") else { return .failure(.absolute) }
        let components = reference.split(separator: "/")
        guard !components.contains("..") else { return .failure(.parentDirectory) }
        guard let root = Self.realPath(path) else { return .failure(.unreadable("the workshop directory cannot be resolved")) }
        let joined = path + "/" + reference
        guard let resolved = Self.realPath(joined) else {
            return .failure(.missing)
        }
        guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
            return .failure(.escapes(resolved))
        }
        switch BoundedFile.read(resolved, limit: limit) {
        case .failure(.notFound): return .failure(.missing)
        case .failure(.notRegularFile): return .failure(.notRegularFile)
        case .failure(.tooLarge(let bytes, let limit)): return .failure(.tooLarge(bytes: bytes, limit: limit))
        case .failure(.unreadable(let reason)): return .failure(.unreadable(reason))
        case .success(let bytes): return .success(bytes)
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Where a spec's referenced files come from: a directory on disk, or the files of a published bundle.
public protocol WorkshopFiles: AnyObject {
    /// The text of a referenced file, or the problem with the reference.
    func read(_ reference: String) -> Result<String, FileReferenceProblem>
    /// The bytes of a file that `files:` copies (text or binary), or the problem with the reference.
    func bytes(_ reference: String) -> Result<[UInt8], FileReferenceProblem>
    /// The bytes of every distinct file read so far.
    var referencedBytes: Int { get }
}

/// The referenced files of a bundle, held in memory: text files, and the binary files `files:` copies.
public final class BundledFiles: WorkshopFiles {
    public let files: [String: String]
    public let binaryFiles: [String: [UInt8]]
    public private(set) var referencedBytes = 0
    private var read: Set<String> = []

    public init(_ files: [String: String], binary: [String: [UInt8]] = [:]) {
        self.files = files
        self.binaryFiles = binary
    }

    public func read(_ reference: String) -> Result<String, FileReferenceProblem> {
        guard let text = files[reference] else { return .failure(binaryFiles[reference] == nil ? .missing : .binary) }
        if read.insert(reference).inserted { referencedBytes += text.utf8.count }
        return .success(text)
    }

    public func bytes(_ reference: String) -> Result<[UInt8], FileReferenceProblem> {
        guard let bytes = binaryFiles[reference] ?? files[reference].map({ Array($0.utf8) }) else { return .failure(.missing) }
        if read.insert(reference).inserted { referencedBytes += bytes.count }
        return .success(bytes)
    }
}

/// What is wrong with a file reference.
public enum FileReferenceProblem: Error, Sendable, Hashable {
    case absolute
    case parentDirectory
    case escapes(String)
    case missing
    case notRegularFile
    case tooLarge(bytes: Int64, limit: Int)
    case notUTF8(offset: Int)
    case binary
    case unreadable(String)
}
