import Foundation

/// xterm.js 3.8 for the browser, assembled from Debian's node-xterm: its CommonJS modules (tests left out)
/// wrapped in one script with a `require` that resolves their relative paths, exposing `Terminal` and the
/// `fit` addon as globals. (Debian bookworm's libjs-xterm ships a browser "bundle" that is only a wrapper
/// around `require("./public/Terminal")` and cannot load; node-xterm carries the real code.) Nothing is
/// fetched from anywhere: the files are read from the installed package once, when first asked for.
enum XtermBundle {
    static let defaultDirectory = "/usr/share/nodejs/xterm/lib"

    /// The directory holding xterm's `lib/` (`NALABO_XTERM_DIR`, default node-xterm's).
    static var directory: String {
        ProcessInfo.processInfo.environment["NALABO_XTERM_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultDirectory
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The script, or why it cannot be made.
    static func script(from directory: String = directory) throws -> String {
        let root = URL(fileURLWithPath: directory)
        guard let paths = files(under: root.path) else {
            throw Missing(description: "xterm.js is not installed at \(directory); install Debian's node-xterm (scripts/install-system-packages) or set NALABO_XTERM_DIR")
        }
        var modules: [(name: String, source: String)] = []
        for relative in paths {
            guard relative.hasSuffix(".js"), !relative.hasSuffix(".test.js"),
                  let source = try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8) else { continue }
            modules.append((String(relative.dropLast(3)), source))
        }
        guard modules.contains(where: { $0.name == "xterm" }), modules.contains(where: { $0.name == "addons/fit/fit" }) else {
            throw Missing(description: "\(directory) has no xterm.js 3 modules (xterm.js, addons/fit/fit.js; found \(modules.map(\.name).filter { $0.contains("xterm") || $0.contains("fit") }); install Debian's node-xterm or set NALABO_XTERM_DIR")
        }
        var script = "/* xterm.js from \(directory), assembled by nalabo */\n(function () {\n\"use strict\";\nvar factories = {};\n"
        for module in modules.sorted(by: { $0.name < $1.name }) {
            // A module's name is a JSON string; its source runs as the body of its factory.
            let name = (try? JSONSerialization.data(withJSONObject: module.name, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            script += "factories[\(name)] = function (require, module, exports) {\n\(module.source)\n};\n"
        }
        script += """
        var cache = {};
        function resolve(from, request) {
          var parts = request.charAt(0) === "." ? from.split("/").slice(0, -1) : [];
          request.split("/").forEach(function (part) {
            if (part === "..") parts.pop(); else if (part !== "." && part !== "") parts.push(part);
          });
          var path = parts.join("/");
          if (factories[path]) return path;
          if (factories[path + "/index"]) return path + "/index";
          throw new Error("xterm.js: cannot find module " + request + " from " + from);
        }
        function load(path) {
          if (cache[path]) return cache[path].exports;
          var module = { exports: {} };
          cache[path] = module;
          factories[path].call(module.exports, function (request) { return load(resolve(path, request)); }, module, module.exports);
          return module.exports;
        }
        window.Terminal = load("xterm");
        window.fit = load("addons/fit/fit");
        })();

        """
        return script
    }

    /// Every file below `directory`, as relative paths, following symbolic links (node-xterm's `lib/addons`
    /// is a link to libjs-xterm's); nil when it is not a readable directory.
    static func files(under directory: String, depth: Int = 0) -> [String]? {
        guard depth < 8, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var found: [String] = []
        for name in names {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                found += (files(under: path, depth: depth + 1) ?? []).map { name + "/" + $0 }
            } else {
                found.append(name)
            }
        }
        return found
    }

    /// The stylesheet beside the modules.
    static func stylesheet(from directory: String = directory) throws -> Data {
        guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: directory).appendingPathComponent("xterm.css").path) else {
            throw Missing(description: "xterm.css is not installed at \(directory); install Debian's node-xterm or set NALABO_XTERM_DIR")
        }
        return data
    }
}
