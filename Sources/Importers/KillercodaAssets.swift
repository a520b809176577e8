import Foundation
import WorkshopSpec

/// Killercoda's `details.assets` (`{"host01": [{"file": "wait.sh", "target": "/usr/local/bin/", "chmod": "+x"}]}`,
/// the files under the scenario's `assets/`, `"*"` for all of them) as the container's `files:`: each file is
/// copied to `assets/` of the workshop and written to its target directory when the container starts.
enum KillercodaAssets {
    /// The workshop's copies of the asset files by path, and the `files:` entries writing them.
    struct Carried {
        var copied: [String: Data] = [:]
        var entries: [JSONValue] = []
    }

    static func files(_ assets: Any?, source: ImportSource, container: String, report: inout ImportReport) -> Carried {
        var carried = Carried()
        guard let assets else { return carried }
        guard let hosts = assets as? [String: Any] else {
            report.dropped("details.assets", "not an object of hosts and their files; not carried over")
            return carried
        }
        for (host, value) in hosts.sorted(by: { $0.key < $1.key }) {
            let place = "details.assets.\(host)"
            guard host == container else {
                report.dropped(place, "the imported workshop has one container, \(container); give it a second container with these files: by hand")
                continue
            }
            guard let items = value as? [[String: Any]] else {
                report.dropped(place, "not a list of {file, target}; not carried over")
                continue
            }
            for (index, item) in items.enumerated() {
                let itemPlace = "\(place)[\(index)]"
                guard let file = item["file"] as? String, let target = item["target"] as? String else {
                    report.dropped(itemPlace, "needs file and target; not carried over")
                    continue
                }
                guard let directory = targetDirectory(target) else {
                    report.dropped(itemPlace, "target '\(target)' is not an absolute path (or ~/…); not carried over")
                    continue
                }
                let mode = mode(item["chmod"], place: itemPlace, report: &report)
                let matched = file == "*" ? regularFiles(in: "assets", source: source) : regularFiles(in: "assets/" + file, source: source)
                if matched.isEmpty { report.dropped(itemPlace, "assets/\(file) names no file inside the scenario; not carried over") }
                for relative in matched {
                    guard let path = source.path("assets/" + relative), let data = FileManager.default.contents(atPath: path) else {
                        report.dropped(itemPlace, "assets/\(relative) cannot be read; not carried over")
                        continue
                    }
                    // A named file keeps its own name under the target; "*" keeps the paths below assets/.
                    let name = file == "*" ? relative : String(relative.split(separator: "/").last ?? Substring(relative))
                    carried.copied["assets/" + relative] = data
                    carried.entries.append(.object([
                        ("source", .string("assets/" + relative)), ("target", .string(directory + "/" + name)),
                        ("mode", .string(FileMode.text(mode))),
                    ]))
                }
            }
        }
        return carried
    }

    /// Killercoda's target directory as an absolute path without a trailing '/': `~` is root's home.
    static func targetDirectory(_ target: String) -> String? {
        var path = target == "~" ? "/root" : target.hasPrefix("~/") ? "/root/" + target.dropFirst(2) : target
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/") else { return nil }
        return path == "/" ? "" : path
    }

    /// `chmod`: `+x` (or `a+x`, `u+x`) makes the file executable; an octal mode is taken as it is.
    static func mode(_ chmod: Any?, place: String, report: inout ImportReport) -> Int {
        guard let chmod = chmod as? String else { return FileCopy.defaultMode }
        if ["+x", "a+x", "u+x", "ugo+x"].contains(chmod) { return 0o755 }
        if let octal = FileMode.parse(chmod) { return octal }
        report.changed(place + ".chmod", "'\(chmod)' is neither +x nor an octal mode; the file is written with mode 0644")
        return FileCopy.defaultMode
    }

    /// The regular files at `relative` (itself when it is one, else every one below it), relative to assets/.
    static func regularFiles(in relative: String, source: ImportSource) -> [String] {
        guard let path = source.path(relative) else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        let base = relative.dropFirst("assets".count).drop { $0 == "/" }
        guard isDirectory.boolValue else { return [String(base)] }
        let below = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
        return below.filter { name in
            var folder: ObjCBool = false
            return source.path(relative + "/" + name) != nil
                && FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &folder) && !folder.boolValue
        }.map { base.isEmpty ? $0 : base + "/" + $0 }
    }
}
