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
        // Sized from fstat() plus one byte to notice growth, never from the limit: most specs are a few KB.
        let capacity = min(Int(info.st_size), limit) + 1
        var bytes = [UInt8](repeating: 0, count: capacity)
        var total = 0
        while total < capacity {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress.map { $0 + total }, capacity - total)
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.unreadable(reason: describe(errno)))
            }
            if count == 0 { break }
            total += count
        }
        // The file may have grown since fstat(): read what is left, still within the limit.
        if total == capacity {
            var extra = [UInt8](repeating: 0, count: 64 << 10)
            while total <= limit {
                let count = extra.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else { break }
                bytes += extra.prefix(count)
                total += count
            }
        }
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
