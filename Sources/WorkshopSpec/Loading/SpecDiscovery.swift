import Foundation
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
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return .failure(.notFound(path))
            }
            if isDirectory.boolValue {
                search(path, into: &found)
            } else {
                found.append(path)
            }
        }
        var seen = Set<String>()
        return .success(found.filter { seen.insert($0).inserted })
    }

    private static func search(_ directory: String, into found: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for name in names.sorted() {
            let path = base == "." ? name : base + "/" + name
            // Symlinked directories are not followed, so a link loop cannot trap the search.
            if isDirectoryNotFollowingLinks(path) {
                if !name.hasPrefix("."), name != ".build", name != "node_modules" { search(path, into: &found) }
            } else if fileNames.contains(name) {
                found.append(path)
            }
        }
    }

    /// Whether `path` is a directory itself, not a symbolic link to one: lstat(2), which costs far less
    /// than `FileManager.attributesOfItem(atPath:)` and its dictionary of every attribute.
    private static func isDirectoryNotFollowingLinks(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
