#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read.
public enum FileReadError: Error, Sendable, Hashable {
    case notFound
    case notRegularFile
    case tooLarge(bytes: Int64, limit: Int)
    case unreadable(reason: String)
}

/// Reads regular files with a size bound, never following a FIFO or device into a hang.
public enum BoundedFile {
    /// Reads at most `limit` bytes; a larger file is refused without reading it whole.
    public static func read(_ path: String, limit: Int) -> Result<[UInt8], FileReadError> {
        // O_NONBLOCK keeps open() from blocking on a FIFO; fstat() below refuses it anyway.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            return .failure(code == ENOENT || code == ENOTDIR ? .notFound : .unreadable(reason: describe(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.unreadable(reason: describe(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegularFile) }
        guard info.st_size <= Int64(limit) else { return .failure(.tooLarge(bytes: Int64(info.st_size), limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var total = 0
        while total <= limit {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress.map { $0 + total }, limit + 1 - total)
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.unreadable(reason: describe(errno)))
            }
            if count == 0 { break }
            total += count
        }
        // The file may have grown since fstat().
        guard total <= limit else { return .failure(.tooLarge(bytes: Int64(total), limit: limit)) }
        bytes.removeSubrange(total...)
        return .success(bytes)
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// The C library's read(2); a file-scope name so it is not shadowed by ``BoundedFile/read(_:limit:)``.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
