/// Builds the ``Workshop`` model from a parsed node tree, reading every value through ``SpecSchema``.
///
/// Decoding recovers: an invalid value is reported and replaced by a neutral stand-in (an empty name, a
/// default), so the rest of the spec is still decoded and validated. Stand-in names are empty, and
/// validation ignores empty names, so no follow-on error is reported for a value already reported.
struct WorkshopDecoder {
    let context: DecodingContext

    private var sink: DiagnosticSink { context.sink }

    func decode(_ root: Node) -> Workshop? {
        guard let object = ObjectReader(root, as: SpecSchema.workshop, context: context, field: "the document") else { return nil }
        // Read as any text, so that another version is reported as unsupported rather than as a typo.
        if let node = object.node("apiVersion"),
           let version = ValueDecoder(context: context).string(node, shape: .string(.text), field: "apiVersion"),
           version.value != SpecSchema.apiVersion {
            sink.report(.unsupportedVersion(version.value), at: version.location)
        }
        _ = object.string("kind")
        let metadata = decodeMetadata(object.object("metadata"), at: object.keyLocation("metadata"))
        let environment = decodeEnvironment(object.object("environment"), at: object.keyLocation("environment"))
        let limits = decodeLimits(object.object("limits"), at: object.keyLocation("limits"))
        let steps = object.objects("steps").map(decodeStep)
        return Workshop(metadata: metadata, environment: environment, limits: limits, steps: steps)
    }

    private func decodeMetadata(_ object: ObjectReader?, at location: SourceLocation) -> Metadata {
        Metadata(
            slug: object?.string("slug") ?? Located("", at: location),
            title: object?.string("title") ?? Located("", at: location),
            version: object?.string("version") ?? Located("", at: location),
            summary: object?.string("summary")?.value,
            tags: object?.strings("tags") ?? [],
            difficulty: object?.string("difficulty").flatMap { Difficulty(rawValue: $0.value) },
            duration: object?.duration("duration")?.value)
    }

    private func decodeEnvironment(_ object: ObjectReader?, at location: SourceLocation) -> Environment {
        let network = object?.string("network", defaulted: true).flatMap { value in value.map { NetworkMode(rawValue: $0) ?? .isolated } }
        let containers = object?.objects("containers").map(decodeContainer) ?? []
        context.containerNames = containers.map(\.name).filter { !$0.isEmpty }
        return Environment(
            network: network ?? Located(.isolated, at: object?.location ?? location),
            containers: containers,
            setup: object?.objects("setup").map(decodeScript) ?? [])
    }

    private func decodeContainer(_ object: ObjectReader) -> Container {
        let image = object.string("image")
        if let image, let reference = ImageReference(image.value), !reference.isPinned {
            sink.report(.unpinnedImage(image.value), at: image.location)
        }
        let name = object.string("name") ?? Located("", at: object.location)
        return Container(
            name: name,
            image: image ?? Located("", at: object.location),
            shell: object.string("shell", defaulted: true)?.value ?? "",
            workdir: object.string("workdir")?.value,
            user: object.string("user")?.value,
            env: object.environment("env"),
            ports: object.integers("ports"),
            resources: decodeResources(object.objectOrEmpty("resources"), at: object.location),
            capabilities: object.strings("capabilities"),
            secrets: object.strings("secrets"),
            files: object.objects("files").map { decodeFile($0, container: name) },
            location: object.location)
    }

    private func decodeResources(_ object: ObjectReader?, at location: SourceLocation) -> Resources {
        let location = object?.location ?? location
        // Stand-ins only after a reported error; the defaults are the schema's. An absent disk stays absent (the
        // free plan's maximum applies at run time, and the bundle leaves it out).
        return Resources(
            cpus: object?.number("cpus", defaulted: true) ?? Located(Plan.free.maxCPUs, at: location),
            memory: object?.memory("memory", defaulted: true) ?? Located(Plan.free.maxMemory, at: location),
            pids: object?.integer("pids", defaulted: true) ?? Located(Plan.free.maxPIDs, at: location),
            disk: object?.memory("disk"))
    }

    private func decodeLimits(_ object: ObjectReader?, at location: SourceLocation) -> Limits {
        let object = object ?? ObjectReader.empty(SpecSchema.limits, at: location, context: context)
        return Limits(session: object?.duration("session", defaulted: true) ?? Located(SpecDuration(seconds: 0), at: location))
    }

    private func decodeStep(_ object: ObjectReader) -> Step {
        Step(
            id: object.string("id") ?? Located("", at: object.location),
            title: object.string("title")?.value ?? "",
            content: decodeContent(object) ?? .inline(""),
            setup: object.object("setup").map(decodeScript),
            challenges: object.objects("challenges").map(decodeChallenge),
            files: object.objects("files").map { decodeFile($0) })
    }

    private func decodeChallenge(_ object: ObjectReader) -> Challenge {
        let checks = object.objects("checks").enumerated().map { index, check in decodeCheck(check, number: index + 1) }
        return Challenge(
            id: object.string("id") ?? Located("", at: object.location),
            title: object.string("title")?.value ?? "",
            content: decodeContent(object),
            hints: object.strings("hints").map(\.value),
            needs: object.strings("needs"),
            setup: object.object("setup").map(decodeScript),
            checks: checks,
            solve: object.object("solve").map(decodeScript),
            cleanup: object.object("cleanup").map(decodeScript),
            files: object.objects("files").map { decodeFile($0) },
            location: object.location)
    }

    private func decodeCheck(_ object: ObjectReader, number: Int) -> Check {
        let expect = object.objectOrEmpty("expect")
        return Check(
            // The one default the schema states as a pattern ("check-N"): N is the check's position.
            name: object.string("name") ?? Located("check-\(number)", at: object.location),
            script: decodeScript(object),
            points: object.integer("points", defaulted: true)?.value ?? 0,
            expect: Expectation(
                exit: expect?.integer("exit", defaulted: true)?.value ?? 0,
                stdout: expect?.string("stdout")?.value,
                stdoutContains: expect?.string("stdout_contains")?.value,
                stdoutMatches: expect?.string("stdout_matches")?.value),
            failMessage: object.string("fail_message")?.value,
            showOutput: object.boolean("show_output", defaulted: true)?.value ?? true)
    }

    /// Reads the fields every script shares; a check is a script with more fields (and its own default timeout).
    private func decodeScript(_ object: ObjectReader) -> Script {
        var source = ScriptSource.inline("")
        if let run = object.string("run") {
            source = .inline(run.value)
        } else if let path = object.string("script"), let text = readFile(path) {
            source = .file(path: path.value, text: text)
        }
        return Script(
            container: resolveContainer(object),
            source: source,
            timeout: object.duration("timeout", defaulted: true) ?? Located(SpecDuration(seconds: 1), at: object.location),
            user: object.string("user")?.value,
            workdir: object.string("workdir")?.value,
            env: object.environment("env"),
            location: object.location)
    }

    /// Reads a `files:` item; a container's own files go into it (`container`), a step's or challenge's name theirs.
    private func decodeFile(_ object: ObjectReader, container: Located<String>? = nil) -> FileCopy {
        var source = FileSource.inline("")
        if let content = object.string("content") {
            source = .inline(content.value)
        } else if let path = object.string("source"), let bytes = readBytes(path) {
            source = .file(path: path.value, bytes: bytes)
        }
        let target = object.string("target")
        if let target, let problem = FileCopy.targetProblem(target.value) {
            sink.report(.invalidTarget(target.value, problem), at: target.location)
        }
        let extract = object.boolean("extract", defaulted: true)
        if let extract, extract.value {
            if object.has("content") { sink.report(.extractNeedsSource, at: extract.location) }
            if let written = object.node("mode") { sink.report(.modeWithExtract, at: written.location) }
        }
        return FileCopy(
            container: container ?? resolveContainer(object),
            source: source,
            target: target ?? Located("", at: object.location),
            mode: extract?.value == true ? nil : object.string("mode", defaulted: true).flatMap { FileMode.parse($0.value) } ?? 0,
            owner: object.string("owner", defaulted: true).flatMap { FileOwner($0.value) } ?? .root,
            extract: extract?.value ?? false,
            location: object.location)
    }

    /// The container a script runs in: the one it names, or the only one. Whether a named container exists
    /// is checked by validation, which sees the whole workshop.
    private func resolveContainer(_ object: ObjectReader) -> Located<String> {
        if let named = object.string("container") { return named }
        let names = context.containerNames
        if names.count > 1 {
            sink.report(.scriptNeedsContainer(names, in: object.schema.name), at: object.location)
        }
        return Located(names.count == 1 ? names[0] : "", at: object.location)
    }

    private func decodeContent(_ object: ObjectReader) -> Content? {
        if let text = object.string("content") { return .inline(text.value) }
        if let path = object.string("content_file"), let text = readFile(path) { return .file(path: path.value, text: text) }
        return nil
    }

    private func readBytes(_ reference: Located<String>) -> [UInt8]? {
        switch context.directory.bytes(reference.value) {
        case .success(let bytes): return bytes
        case .failure(let problem):
            sink.report(.fileReference(reference.value, problem), at: reference.location)
            return nil
        }
    }

    private func readFile(_ reference: Located<String>) -> String? {
        switch context.directory.read(reference.value) {
        case .success(let text): return text
        case .failure(let problem):
            sink.report(.fileReference(reference.value, problem), at: reference.location)
            return nil
        }
    }
}
