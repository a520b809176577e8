/// Reads, parses, decodes and validates spec files: the one pipeline behind `validate`, `bundle`, `up`,
/// `test` and `publish`.
public struct SpecLoader: Sendable {
    public var limits: ParseLimits
    /// The plan whose limits apply, or nil to check structure and references only.
    public var plan: Plan?

    public init(plan: Plan?, limits: ParseLimits = .standard) {
        self.plan = plan
        self.limits = limits
    }

    /// Loads the spec file at `path`; referenced files are resolved against its directory.
    public func load(path: String) -> LoadedSpec {
        switch BoundedFile.read(path, limit: limits.maxFileBytes) {
        case .success(let bytes):
            return load(SourceFile(path: path, bytes: bytes), directory: Self.directory(of: path))
        case .failure(let error):
            let sink = DiagnosticSink(file: path)
            sink.report(.unreadableSpec(error), at: .start)
            return LoadedSpec(file: SourceFile(path: path, bytes: []), recovered: nil, diagnostics: sink.diagnostics, bundleBytes: 0)
        }
    }

    /// Loads spec text whose referenced files live in `directory`.
    public func load(_ file: SourceFile, directory: String) -> LoadedSpec {
        let sink = DiagnosticSink(file: file.path)
        guard let root = YAMLParser.parse(file, limits: limits, into: sink) else {
            if !sink.hasErrors { sink.report(.emptySpec, at: .start) }
            return LoadedSpec(file: file, recovered: nil, diagnostics: sink.diagnostics, bundleBytes: file.bytes.count)
        }
        return decode(root, file: file, files: WorkshopDirectory(path: directory), sink: sink)
    }

    /// Loads an already parsed spec whose referenced files come from `files`, such as a stored bundle's.
    public func load(root: Node, file: SourceFile, files: WorkshopFiles) -> LoadedSpec {
        decode(root, file: file, files: files, sink: DiagnosticSink(file: file.path))
    }

    private func decode(_ root: Node, file: SourceFile, files: WorkshopFiles, sink: DiagnosticSink) -> LoadedSpec {
        let context = DecodingContext(sink: sink, directory: files)
        let workshop = WorkshopDecoder(context: context).decode(root)
        let bundleBytes = file.bytes.count + files.referencedBytes
        if let workshop {
            WorkshopValidator(plan: plan).validate(workshop, bundleBytes: bundleBytes, into: sink)
        }
        return LoadedSpec(file: file, recovered: workshop, diagnostics: sink.diagnostics, bundleBytes: bundleBytes)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// The outcome of loading one spec file.
public struct LoadedSpec: Sendable {
    public let file: SourceFile
    /// The model as far as it could be decoded, with stand-ins where values were invalid.
    let recovered: Workshop?
    /// Every problem found, in reporting order.
    public let diagnostics: [Diagnostic]
    /// The size of the spec plus every distinct file it references.
    public let bundleBytes: Int

    init(file: SourceFile, recovered: Workshop?, diagnostics: [Diagnostic], bundleBytes: Int) {
        self.file = file
        self.recovered = recovered
        self.diagnostics = diagnostics.sorted(by: Diagnostic.reportingOrder)
        self.bundleBytes = bundleBytes
    }

    /// The workshop, when the spec has no errors (warnings allowed).
    public var workshop: Workshop? {
        diagnostics.containsErrors ? nil : recovered
    }
}

extension Message {
    static func unreadableSpec(_ error: FileReadError) -> Message {
        switch error {
        case .notFound: Message(.documentLimit, "the file does not exist")
        case .notRegularFile: Message(.documentLimit, "not a regular file; a spec must be a regular file")
        case .tooLarge(let bytes, let limit): .fileTooLarge(bytes: Int(bytes), limit: limit)
        case .unreadable(let reason): Message(.documentLimit, "the file cannot be read: \(reason)")
        }
    }

    static let emptySpec = Message(.missingKey, "the file holds no workshop",
                                   help: "a spec starts with 'apiVersion: \(SpecSchema.apiVersion)'; `nalabo init` writes one")
}
