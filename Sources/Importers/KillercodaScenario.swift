import Foundation

/// A Killercoda scenario's `index.json`, as Killercoda's public docs describe it. Every field the importer does
/// not know is collected in `unknown` (as `path.to.field`), so that nothing is dropped silently.
struct KillercodaScenario {
    struct Page {
        var title: String?
        var text: String?
        var background: String?
        var foreground: String?
        var verify: String?
    }

    var title: String?
    var description: String?
    var intro: Page?
    var steps: [Page] = []
    var finish: Page?
    var assets: Any?
    var imageID: String?
    var layout: String?
    var difficulty: String?
    var time: String?
    var unknown: [String] = []

    /// Why an index.json could not be read.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static let topFields: Set = ["title", "description", "details", "backend", "interface", "difficulty", "time"]
    static let detailFields: Set = ["intro", "steps", "finish", "assets"]
    static let pageFields: Set = ["title", "text", "background", "foreground", "verify"]

    init(json data: Data, file: String) throws {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw Unreadable(description: "\(file) is not JSON: \(error.localizedDescription)")
        }
        guard let top = parsed as? [String: Any] else { throw Unreadable(description: "\(file) is not a JSON object") }
        func report(_ object: [String: Any], known: Set<String>, at path: String) {
            for key in object.keys.sorted() where !known.contains(key) { unknown.append(path.isEmpty ? key : "\(path).\(key)") }
        }
        func text(_ value: Any?, _ path: String) throws -> String? {
            guard let value else { return nil }
            guard let string = value as? String else { throw Unreadable(description: "\(file): \(path) must be a string") }
            return string
        }
        func page(_ value: Any?, _ path: String) throws -> Page? {
            guard let value else { return nil }
            guard let object = value as? [String: Any] else { throw Unreadable(description: "\(file): \(path) must be an object") }
            report(object, known: Self.pageFields, at: path)
            return Page(title: try text(object["title"], path + ".title"), text: try text(object["text"], path + ".text"),
                        background: try text(object["background"], path + ".background"),
                        foreground: try text(object["foreground"], path + ".foreground"), verify: try text(object["verify"], path + ".verify"))
        }
        report(top, known: Self.topFields, at: "")
        title = try text(top["title"], "title")
        description = try text(top["description"], "description")
        difficulty = try text(top["difficulty"], "difficulty")
        time = try text(top["time"], "time")
        if let details = top["details"] {
            guard let object = details as? [String: Any] else { throw Unreadable(description: "\(file): details must be an object") }
            report(object, known: Self.detailFields, at: "details")
            intro = try page(object["intro"], "details.intro")
            finish = try page(object["finish"], "details.finish")
            assets = object["assets"]
            if let list = object["steps"] {
                guard let items = list as? [Any] else { throw Unreadable(description: "\(file): details.steps must be a list") }
                steps = try items.enumerated().map { index, item in
                    try page(item, "details.steps[\(index)]") ?? Page()
                }
            }
        }
        if let backend = top["backend"] as? [String: Any] {
            report(backend, known: ["imageid"], at: "backend")
            imageID = try text(backend["imageid"], "backend.imageid")
        }
        if let interface = top["interface"] as? [String: Any] {
            report(interface, known: ["layout"], at: "interface")
            layout = try text(interface["layout"], "interface.layout")
        }
    }
}
