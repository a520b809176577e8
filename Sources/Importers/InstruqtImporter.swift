import Foundation
import WorkshopSpec

/// Turns an Instruqt track directory into a nalabo workshop directory. The track's format, as Instruqt's public
/// docs and example tracks describe it: `track.yml` (slug, title, teaser, description, tags and platform
/// fields), `config.yml` (`containers`, `virtualmachines`, `secrets`), `track_scripts/setup-HOST`, and one folder
/// per challenge (`01-name/`) with `assignment.md` (YAML front matter: slug, type, title, teaser, notes, tabs,
/// difficulty, timelimit; quizzes add answers and solution) and the scripts `setup-HOST`, `check-HOST`,
/// `solve-HOST`, `cleanup-HOST`. The lifecycle is Instruqt's: each challenge becomes a step with one challenge
/// whose setup, checks, solve and cleanup are those scripts.
public struct InstruqtImporter: Sendable {
    public var images: ImageMapping
    public var slug: String?

    public init(images: ImageMapping = ImageMapping(), slug: String? = nil) {
        self.images = images
        self.slug = slug
    }

    static let trackFields: Set = ["slug", "title", "teaser", "description", "tags"]
    /// Fields of the platform itself (publishing, its UI, its owners): known, not carried over, listed once.
    static let platformFields: Set = ["id", "type", "icon", "owner", "developers", "private", "published", "checksum", "maintenance",
                                      "show_timer", "skipping_enabled", "idle_timeout", "timelimit", "lab_config", "extend_ttl",
                                      "enhanced_loading", "level", "challenges"]
    static let configFields: Set = ["version", "containers", "virtualmachines", "secrets"]
    static let containerFields: Set = ["name", "image", "shell", "memory", "ports", "environment"]
    static let machineFields: Set = ["name", "image", "shell", "machine_type", "allow_external_ingress", "preemptible", "environment"]
    static let challengeFields: Set = ["slug", "id", "type", "title", "teaser", "notes", "tabs", "difficulty", "timelimit", "answers", "solution",
                                       "enhanced_loading"]
    static let scriptKinds = ["setup", "check", "solve", "cleanup"]

    public func importTrack(at directory: String) throws -> ImportedWorkshop {
        let source = ImportSource(directory)
        let root = source.root
        var report = ImportReport()
        var files: [String: Data] = [:]
        /// A file of the track; what kept it from being read goes into the report at `place`.
        func text(_ relative: String, place: String? = nil) -> String? {
            switch source.text(relative) {
            case .success(let text): return text
            case .failure(let problem):
                if let place { report.dropped(place, problem.message(relative, outsideWhat: "track directory")) }
                return nil
            }
        }
        func yaml(_ relative: String) throws -> Node {
            guard let contents = text(relative) else {
                throw ImportFailure(description: "\(root.appendingPathComponent(relative).path) does not exist or is not text: an Instruqt track is a directory with track.yml and config.yml")
            }
            do { return try YAMLDocument(text: contents, file: relative).node } catch let problem as YAMLDocument.Unreadable {
                throw ImportFailure(description: problem.description)
            }
        }
        func unknown(_ node: Node, known: Set<String>, at path: String) {
            for key in node.keys where !known.contains(key) {
                report.unknown(path.isEmpty ? key : "\(path).\(key)", "not a field of Instruqt's track format as nalabo knows it; not carried over")
            }
        }

        // The track.
        let track = try yaml("track.yml")
        unknown(track, known: Self.trackFields.union(Self.platformFields), at: "track.yml")
        let platform = track.keys.filter { Self.platformFields.contains($0) }
        if !platform.isEmpty {
            report.dropped("track.yml", "platform fields, not carried over: \(platform.joined(separator: ", "))")
        }
        if track["challenges"] != nil {
            report.dropped("track.yml.challenges", "challenges written inside track.yml (the older format) are not read: nalabo reads the challenge folders")
        }

        // The environment.
        let config = try yaml("config.yml")
        unknown(config, known: Self.configFields, at: "config.yml")
        var containers: [JSONValue] = []
        var names: [String] = []
        let secrets = config["secrets"]?.items.compactMap { $0["name"]?.text } ?? []
        for (index, item) in (config["containers"]?.items ?? []).enumerated() {
            let place = "config.yml.containers[\(index)]"
            unknown(item, known: Self.containerFields, at: place)
            guard let name = item["name"]?.text else { report.dropped(place, "a container without a name"); continue }
            let given = item["image"]?.text ?? ImageMapping.fallback
            let image = images.overrides[given] ?? given
            var members: [(String, JSONValue?)] = [("name", .string(name)), ("image", .string(image)), ("shell", JSONValue.string(item["shell"]?.text))]
            let environment = item["environment"]?.entries.compactMap { entry in entry.value.text.map { (entry.key.value, JSONValue.string($0)) } } ?? []
            if !environment.isEmpty { members.append(("env", .object(environment))) }
            let ports = item["ports"]?.items.compactMap { $0.text.flatMap(Int.init) } ?? []
            if !ports.isEmpty { members.append(("ports", .array(ports.map { .int(Int64($0)) }))) }
            if let memory = item["memory"]?.text.flatMap(Int.init) {
                members.append(("resources", .object([("memory", .string("\(max(memory, 6))Mi"))])))
            }
            if !secrets.isEmpty { members.append(("secrets", .array(secrets.map(JSONValue.string)))) }
            containers.append(.members(members))
            names.append(name)
        }
        for (index, item) in (config["virtualmachines"]?.items ?? []).enumerated() {
            let place = "config.yml.virtualmachines[\(index)]"
            unknown(item, known: Self.machineFields, at: place)
            guard let name = item["name"]?.text else { report.dropped(place, "a virtual machine without a name"); continue }
            let given = item["image"]?.text ?? ""
            let image = images.overrides[given] ?? images.overrides[name] ?? ImageMapping.fallback
            report.changed(place, "the virtual machine \(name) (\(given.isEmpty ? "no image" : given)) becomes a container running \(image): nalabo runs containers, not VMs (choose the image with --image \(given.isEmpty ? name : given)=IMAGE)")
            containers.append(.members([("name", .string(name)), ("image", .string(image)), ("shell", JSONValue.string(item["shell"]?.text)),
                                        ("secrets", secrets.isEmpty ? nil : .array(secrets.map(JSONValue.string)))]))
            names.append(name)
        }
        if containers.isEmpty {
            report.changed("config.yml", "no containers or virtual machines; the workshop has one container, shell, running \(ImageMapping.fallback)")
            containers = [.object([("name", "shell"), ("image", .string(ImageMapping.fallback))])]
            names = ["shell"]
        }
        if !secrets.isEmpty {
            report.changed("config.yml.secrets", "\(secrets.joined(separator: ", ")) became secrets: of every container; give their values when a session starts (NALABO_SECRET_NAME or --secrets FILE)")
        }
        report.changed("config.yml", "Instruqt sandboxes reach the internet; the workshop uses network: isolated (its containers reach each other by name)")

        func scripts(in folder: String) -> [String: [(host: String, path: String)]] {
            var found: [String: [(host: String, path: String)]] = [:]
            for file in source.listing(folder) {
                guard let kind = Self.scriptKinds.first(where: { file.hasPrefix($0 + "-") }) else { continue }
                let host = String(file.dropFirst(kind.count + 1))
                guard names.contains(host) else {
                    report.dropped("\(folder)/\(file)", "there is no container or machine \(host)")
                    continue
                }
                guard let body = text("\(folder)/\(file)", place: "\(folder)/\(file)") else { continue }
                let target = "scripts/\(ImportText.label(folder))-\(file).sh"
                files[target] = Data(body.utf8)
                if kind == "check" && body.contains("fail-message") {
                    report.changed("\(folder)/\(file)", "calls Instruqt's fail-message, which nalabo lacks: print FAIL: lines instead (nalabo shows them to the learner)")
                }
                found[kind, default: []].append((host, target))
            }
            // In the order config.yml lists the hosts: where one script must be chosen, the first host's wins.
            return found.mapValues { list in list.sorted { (names.firstIndex(of: $0.host) ?? 0) < (names.firstIndex(of: $1.host) ?? 0) } }
        }
        func script(_ entry: (host: String, path: String)) -> JSONValue {
            .object([("container", .string(entry.host)), ("script", .string(entry.path))])
        }

        // Track scripts: the environment's setup.
        let trackScripts = scripts(in: "track_scripts")
        var environment: [(String, JSONValue?)] = [("containers", .array(containers))]
        if let setups = trackScripts["setup"], !setups.isEmpty { environment.append(("setup", .array(setups.map(script)))) }
        for kind in ["check", "solve", "cleanup"] where trackScripts[kind] != nil {
            report.dropped("track_scripts", "\(kind) scripts of the whole track: nalabo has none (down removes everything)")
        }

        // Challenges, in folder order.
        var steps: [JSONValue] = []
        var seconds = 0
        var notedTabs = false
        let folders = source.listing().filter { folder in folder.first?.isNumber == true && source.path(folder + "/assignment.md") != nil }
        var used: Set<String> = []
        for folder in folders {
            let place = "\(folder)/assignment.md"
            guard let assignment = text(place, place: place) else { continue }
            let (front, body) = Self.frontMatter(assignment)
            let header: Node
            do { header = try YAMLDocument(text: front.isEmpty ? "{}" : front, file: place).node } catch {
                report.dropped(place, "its front matter is not YAML nalabo can read: \(error)")
                continue
            }
            unknown(header, known: Self.challengeFields, at: place)
            let id = ImportText.unique(ImportText.label(header["slug"]?.text ?? String(folder.drop { $0.isNumber || $0 == "-" })),
                                       fallback: "challenge-\(steps.count + 1)", in: &used)
            let title = ImportText.line(header["title"]?.text ?? id, place: place + ".title", report: &report)
            if let limit = header["timelimit"]?.text.flatMap(Int.init) { seconds += limit }
            if header["tabs"] != nil && !notedTabs {
                report.dropped(place + ".tabs", "tabs (terminals, services, websites, editors): nalabo shows a terminal per container; publish a service's port with ports:")
                notedTabs = true
            }
            var text = ""
            for (index, note) in header["notes"]?.items.enumerated().map({ $0 }) ?? [] {
                if note["type"]?.text == "text", let contents = note["contents"]?.text { text += contents + "\n\n" }
                else { report.dropped("\(place).notes[\(index)]", "a \(note["type"]?.text ?? "note") note: only text notes are carried over (before the assignment)") }
            }
            text += body
            var challenge: [(String, JSONValue?)] = [("id", .string(id)), ("title", .string(title))]
            if let teaser = header["teaser"]?.text { text = "*\(teaser)*\n\n" + text }
            let type = header["type"]?.text ?? "challenge"
            let found = scripts(in: folder)
            if type == "quiz" {
                let answers = header["answers"]?.items.compactMap(\.text) ?? []
                let solution = (header["solution"]?.items.compactMap { $0.text.flatMap(Int.init) } ?? []).sorted()
                let expected = solution.map { String($0 + 1) }.joined(separator: ",")
                text += "\n\n" + answers.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
                text += "\n\nWrite the number of your answer\(solution.count > 1 ? "s, separated by commas," : "") into `/root/answer`, then check.\n"
                challenge.append(("checks", .array([.object([("container", .string(names[0])), ("run", .string("grep -qx '\(expected)' /root/answer\n")),
                                                             ("fail_message", "/root/answer does not hold the right answer yet")])])))
                challenge.append(("solve", .object([("container", .string(names[0])), ("run", .string("echo '\(expected)' > /root/answer\n"))])))
                report.changed(place, "the quiz became an answer-file challenge: the learner writes \(solution.count > 1 ? "the numbers" : "the number") of the answer into /root/answer")
            } else if let checks = found["check"], !checks.isEmpty {
                challenge.append(("checks", .array(checks.map(script))))
                for (kind, key) in [("setup", "setup"), ("solve", "solve"), ("cleanup", "cleanup")] {
                    guard let list = found[kind], let first = list.first else { continue }
                    challenge.append((key, script(first)))
                    for other in list.dropFirst() {
                        report.dropped("\(folder)/\(kind)-\(other.host)", "a challenge has one \(kind) script in nalabo; \(kind)-\(first.host) was kept")
                    }
                }
                if found["solve"] == nil { report.changed(place, "no solve script, so the challenge has no solve (validation warns missing-solve)") }
            } else {
                report.changed(place, "no check script: the step is reading only")
            }
            files["steps/\(id).md"] = Data(text.utf8)
            var step: [(String, JSONValue?)] = [("id", .string(id)), ("title", .string(title)), ("content_file", .string("steps/\(id).md"))]
            if challenge.count > 2 { step.append(("challenges", .array([.members(challenge)]))) }
            else if let setup = found["setup"]?.first { step.append(("setup", script(setup))) }
            steps.append(.members(step))
        }
        if let description = track["description"]?.text, !description.isEmpty {
            files["steps/about.md"] = Data(description.utf8)
            steps.insert(.object([("id", .string(ImportText.unique("about", fallback: "about", in: &used))), ("title", "About this track"),
                                  ("content_file", "steps/about.md")]), at: 0)
        }
        if steps.isEmpty {
            report.changed("track", "no challenge folders; the workshop has one empty step")
            steps = [.object([("id", "intro"), ("title", "Introduction"), ("content", "")])]
        }

        // Metadata.
        let name = slug ?? ImportText.label(track["slug"]?.text ?? root.lastPathComponent)
        var metadata: [(String, JSONValue?)] = [("slug", .string(name.isEmpty ? "imported" : name)),
                                                ("title", .string(ImportText.line(track["title"]?.text ?? name, place: "track.yml.title", report: &report))),
                                                ("version", "0.1.0"), ("summary", JSONValue.string(track["teaser"]?.text.map { String($0.prefix(500)) }))]
        let tags = Array(Set((track["tags"]?.items.compactMap(\.text) ?? []).map { ImportText.label($0) }.filter { !$0.isEmpty })).sorted().prefix(10)
        if !tags.isEmpty { metadata.append(("tags", .array(tags.map(JSONValue.string)))) }
        if seconds >= 60 { metadata.append(("duration", .string("\(seconds / 60)m"))) }
        let spec: JSONValue = .object([
            ("apiVersion", "nalabo/v1"), ("kind", "Workshop"), ("metadata", .members(metadata)),
            ("environment", .members(environment)), ("steps", .array(steps)),
        ])
        let origin = root.lastPathComponent
        do {
            files["workshop.yaml"] = Data(try StoredBundle.yaml(json: spec, header: "Imported from the Instruqt track \(origin) by nalabo import; IMPORTED.md lists what to finish by hand.").utf8)
        } catch {
            throw ImportFailure(description: "the imported spec could not be written: \(error)")
        }
        files["IMPORTED.md"] = Data(report.markdown(source: "the Instruqt track \(origin)").utf8)
        return ImportedWorkshop(slug: name.isEmpty ? "imported" : name, files: files, report: report)
    }

    /// An assignment's YAML front matter (between the first two `---` lines) and its Markdown body.
    static func frontMatter(_ text: String) -> (front: String, body: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
              let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else { return ("", text) }
        return (lines[1..<end].joined(separator: "\n"), lines[(end + 1)...].joined(separator: "\n"))
    }
}
