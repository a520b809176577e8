import Foundation
import WorkshopSpec

/// Turns a Killercoda scenario directory into a nalabo workshop directory:
///
/// - `details.intro`, each of `details.steps` and `details.finish` become steps, in order, their Markdown copied
///   to `steps/ID.md`, `{{exec}}` fenced blocks made runnable and the other markers removed (``KillercodaMarkdown``);
/// - a page's `background` script becomes the step's `setup` (run when the learner enters it);
/// - a page's `verify` script becomes the step's one challenge, with one check; the `{{exec}}` blocks of a
///   solution section of its text become the challenge's `solve` (Killercoda has no solutions of its own;
///   without one, validation warns `missing-solve`);
/// - `backend.imageid` picks the one container's image (``ImageMapping``);
/// - `details.assets` of host01 become the container's `files:` (``KillercodaAssets``);
/// - everything else — foreground scripts, other hosts' assets, the interface layout, Kubernetes backends, unknown fields —
///   is listed in the ``ImportReport``, never dropped silently.
public struct KillercodaImporter: Sendable {
    public var images: ImageMapping
    /// The workshop's slug; default the scenario directory's name, made a DNS label.
    public var slug: String?

    public init(images: ImageMapping = ImageMapping(), slug: String? = nil) {
        self.images = images
        self.slug = slug
    }

    /// The container every imported step runs in: Killercoda's name for its first host.
    public static let container = "host01"

    public func importScenario(at directory: String) throws -> ImportedWorkshop {
        let source = ImportSource(directory)
        let root = source.root
        let indexPath = root.appendingPathComponent("index.json").path
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw ImportFailure(description: "\(indexPath) does not exist or cannot be read: a Killercoda scenario is a directory with an index.json")
        }
        let scenario: KillercodaScenario
        do { scenario = try KillercodaScenario(json: data, file: indexPath) } catch let problem as KillercodaScenario.Unreadable {
            throw ImportFailure(description: problem.description)
        }
        var report = ImportReport()
        var files: [String: Data] = [:]
        for field in scenario.unknown {
            report.unknown(field, "not a field of Killercoda's scenario format as nalabo knows it; not carried over")
        }

        func read(_ relative: String, for place: String) -> String? {
            switch source.text(relative) {
            case .success(let text): return text
            case .failure(let problem):
                report.dropped(place, problem.message(relative, outsideWhat: "scenario directory"))
                return nil
            }
        }

        // The environment.
        let imageID = scenario.imageID ?? "ubuntu"
        let (image, guessed) = images.image(for: imageID)
        if imageID.hasPrefix("kubernetes") {
            report.changed("backend.imageid", "'\(imageID)' is a Kubernetes cluster in Killercoda; nalabo runs containers, so the workshop uses \(image) and cluster commands such as kubectl will not work (choose an image with --image \(imageID)=IMAGE)")
        } else if guessed {
            report.changed("backend.imageid", "no image is known for '\(imageID)'; the workshop uses \(image): give another with --image \(imageID)=IMAGE")
        }
        report.changed("backend", "Killercoda environments reach the internet; the workshop uses network: isolated (set environment.network: internet, on a plan that allows it, if its steps download things)")
        if let layout = scenario.layout {
            report.dropped("interface.layout", "'\(layout)': nalabo shows the instructions beside a terminal per container")
        }
        let assets = KillercodaAssets.files(scenario.assets, source: source, container: Self.container, report: &report)
        for (path, data) in assets.copied { files[path] = data }

        // The steps.
        var steps: [JSONValue] = []
        var usedIDs: Set<String> = []
        var backgroundNoted = false
        let pages: [(page: KillercodaScenario.Page, place: String, fallbackID: String, fallbackTitle: String)] =
            (scenario.intro.map { [($0, "details.intro", "intro", "Introduction")] } ?? [])
            + scenario.steps.enumerated().map { index, page in (page, "details.steps[\(index)]", "step-\(index + 1)", "Step \(index + 1)") }
            + (scenario.finish.map { [($0, "details.finish", "finish", "Finish")] } ?? [])
        for (page, place, fallbackID, fallbackTitle) in pages {
            let named = ["intro", "finish"].contains(fallbackID) ? fallbackID : page.title.map { ImportText.label($0) } ?? fallbackID
            let id = ImportText.unique(named, fallback: fallbackID, in: &usedIDs)
            let title = ImportText.line(page.title ?? fallbackTitle, place: place + ".title", report: &report)
            var members: [(String, JSONValue?)] = [("id", .string(id)), ("title", .string(title))]
            var original = ""
            if let textPath = page.text, let text = read(textPath, for: place + ".text") {
                original = text
                let converted = KillercodaMarkdown.convert(text)
                files["steps/\(id).md"] = Data(converted.text.utf8)
                if converted.inlineRuns > 0 {
                    report.changed(place + ".text", "\(converted.inlineRuns) inline `command`{{exec}} span\(converted.inlineRuns == 1 ? " is" : "s are") plain code now (copyable, not runnable): make \(converted.inlineRuns == 1 ? "it a fenced block" : "them fenced blocks") marked ```sh run to run with a click or nalabo run N")
                }
                if converted.interrupts > 0 {
                    report.changed(place + ".text", "{{exec interrupt}} stops what runs in the terminal first; a runnable block is typed into the terminal as it is (press Ctrl-C first if something still runs)")
                }
                members.append(("content_file", .string("steps/\(id).md")))
            } else {
                members.append(("content", .string(title)))
            }
            if let background = page.background, let script = read(background, for: place + ".background") {
                files["scripts/\(id)-background.sh"] = Data(script.utf8)
                members.append(("setup", .object([("container", .string(Self.container)), ("script", .string("scripts/\(id)-background.sh"))])))
                if !backgroundNoted {
                    report.changed(place + ".background", "background scripts run as their step's setup, before the learner sees the step (Killercoda runs them beside the learner)")
                    backgroundNoted = true
                }
            }
            if page.foreground != nil {
                report.dropped(place + ".foreground", "a foreground script runs in the learner's terminal in Killercoda; nalabo runs no script there")
            }
            if let verify = page.verify, let script = read(verify, for: place + ".verify") {
                files["scripts/\(id)-verify.sh"] = Data(script.utf8)
                var challenge: [(String, JSONValue?)] = [
                    ("id", .string(id)), ("title", .string(title)),
                    ("checks", .array([.object([("container", .string(Self.container)), ("script", .string("scripts/\(id)-verify.sh"))])])),
                ]
                let solution = KillercodaMarkdown.solution(in: original)
                if solution.isEmpty {
                    report.changed(place, "no solution section with {{exec}} blocks in its text, so the challenge has no solve (validation warns missing-solve): add solve: to let nalabo test prove it")
                } else {
                    challenge.append(("solve", .object([("container", .string(Self.container)), ("run", .string(solution.joined(separator: "\n") + "\n"))])))
                }
                members.append(("challenges", .array([.members(challenge)])))
            }
            steps.append(.members(members))
        }
        if steps.isEmpty {
            report.changed("details", "the scenario has no pages; the workshop has one empty step")
            steps = [.object([("id", "intro"), ("title", .string(scenario.title ?? "Introduction")), ("content", "")])]
        }

        // Metadata.
        let name = slug ?? ImportText.label(root.lastPathComponent)
        let workshopTitle = ImportText.line(scenario.title ?? root.lastPathComponent, place: "title", report: &report)
        var metadata: [(String, JSONValue?)] = [("slug", .string(name.isEmpty ? "imported" : name)), ("title", .string(workshopTitle)),
                                                ("version", "0.1.0")]
        if let description = scenario.description {
            metadata.append(("summary", .string(String(description.prefix(500)))))
            if description.count > 500 { report.changed("description", "cut to 500 characters for summary") }
        }
        if let difficulty = scenario.difficulty {
            if let known = Difficulty(rawValue: difficulty.lowercased()) { metadata.append(("difficulty", .string(known.rawValue))) }
            else { report.dropped("difficulty", "'\(difficulty)' is not beginner, intermediate or advanced") }
        }
        if let time = scenario.time {
            if let minutes = ImportText.minutes(time) { metadata.append(("duration", .string("\(minutes)m"))) }
            else { report.dropped("time", "'\(time)' is not a number of minutes") }
        }
        let spec: JSONValue = .object([
            ("apiVersion", "nalabo/v1"), ("kind", "Workshop"), ("metadata", .members(metadata)),
            ("environment", .object([("containers", .array([.members([
                ("name", .string(Self.container)), ("image", .string(image)),
                ("files", assets.entries.isEmpty ? nil : .array(assets.entries)),
            ])]))])),
            ("steps", .array(steps)),
        ])
        let origin = root.lastPathComponent
        do {
            files["workshop.yaml"] = Data(try StoredBundle.yaml(json: spec, header: "Imported from the Killercoda scenario \(origin) by nalabo import; IMPORTED.md lists what to finish by hand.").utf8)
        } catch {
            throw ImportFailure(description: "the imported spec could not be written: \(error)")
        }
        files["IMPORTED.md"] = Data(report.markdown(source: "the Killercoda scenario \(origin)").utf8)
        return ImportedWorkshop(slug: name.isEmpty ? "imported" : name, files: files, report: report)
    }
}
