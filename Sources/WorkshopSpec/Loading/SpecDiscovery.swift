#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds spec files under the paths a user gives: files are taken as they are, directories are searched
/// for `workshop.yaml` and `workshop.yml`, skipping hidden folders and `.build`.
public enum SpecDiscovery {
    public static let fileNames = ["workshop.yaml", "workshop.yml"]

    public enum Problem: Error, Equatable, Sendable {
        /// The path does not exist.
        case notFound(String)
    }

    /// The spec files, sorted, each once; or the first path that does not exist.
    public static func find(in paths: [String]) -> Result<[String], Problem> {
        var found: [String] = []
        for path in paths {
            // stat(2) follows a symbolic link that the user named, as opening it would.
            var info = stat()
            guard stat(path, &info) == 0 else { return .failure(.notFound(path)) }
            if info.st_mode & S_IFMT == S_IFDIR {
                search(path, into: &found)
            } else {
                found.append(path)
            }
        }
        var seen = Set<String>()
        return .success(found.filter { seen.insert($0).inserted })
    }

    private static func search(_ directory: String, into found: inout [String]) {
        guard let entries = entries(of: directory) else { return }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let path = base == "." ? entry.name : base + "/" + entry.name
            // Symlinked directories are not followed, so a link loop cannot trap the search.
            if entry.isDirectory ?? isDirectoryNotFollowingLinks(path) {
                if !entry.name.hasPrefix("."), entry.name != ".build", entry.name != "node_modules" { search(path, into: &found) }
            } else if fileNames.contains(entry.name) {
                found.append(path)
            }
        }
    }

    /// One name in a directory and, when readdir(3) knows it, whether it is a directory itself (not a link to one).
    private struct Entry {
        var name: String
        var isDirectory: Bool?
    }

    /// The entries of a directory but `.` and `..`, from opendir(3)/readdir(3): the type readdir gives saves
    /// an lstat(2) per entry, and neither builds what `FileManager.contentsOfDirectory(atPath:)` does. Nil when
    /// the directory cannot be read.
    private static func entries(of directory: String) -> [Entry]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while let pointer = readdir(stream) {
            // d_name is a NUL-terminated array of CChar that Swift imports as a tuple.
            let name = withUnsafeBytes(of: pointer.pointee.d_name) { raw in
                raw.baseAddress.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
            }
            guard name != ".", name != ".." else { continue }
            let type = pointer.pointee.d_type
            entries.append(Entry(name: name, isDirectory: type == UInt8(DT_UNKNOWN) ? nil : type == UInt8(DT_DIR)))
        }
        return entries
    }

    /// Whether `path` is a directory itself, not a symbolic link to one: lstat(2), for file systems whose
    /// readdir(3) does not give the type.
    private static func isDirectoryNotFollowingLinks(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
