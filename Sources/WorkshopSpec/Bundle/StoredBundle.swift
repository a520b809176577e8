import Foundation

/// A bundle read back from storage: its spec and files, ready to become a ``Workshop`` again or to be
/// written out as a workshop directory.
public struct StoredBundle: Sendable {
    /// Why stored bundle text could not be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The spec part, as a node tree (JSON is YAML).
    public let spec: Node
    /// The referenced files by path.
    public let files: [String: String]
    /// The binary files `files:` copies, by path.
    public let binaryFiles: [String: [UInt8]]

    /// Bundles hold up to the largest plan's bundle size; values keep the spec's own limits.
    static let limits: ParseLimits = {
        var limits = ParseLimits()
        limits.maxFileBytes = Int(Plan.all.map(\.maxBundle.bytes).max() ?? 32 << 20) * 2
        // A binary file of `files:` is one base64 string, as large as the bundle allows.
        limits.maxScalarBytes = limits.maxFileBytes
        return limits
    }()

    public init(json: String) throws {
        let sink = DiagnosticSink(file: "bundle.json")
        guard let root = YAMLParser.parse(SourceFile(path: "bundle.json", text: json), limits: Self.limits, into: sink),
              case .mapping(let entries) = root.content else {
            throw Problem(description: "the stored bundle is not a JSON object: \(sink.diagnostics.first?.message ?? "empty")")
        }
        func member(_ key: String) -> Node? { entries.first { $0.key.value == key }?.value }
        guard case .scalar(let format)? = member("format")?.content, format.value == WorkshopBundle.format else {
            throw Problem(description: "the stored bundle is not in the \(WorkshopBundle.format) format")
        }
        guard let spec = member("spec"), case .mapping(let fileEntries)? = member("files")?.content else {
            throw Problem(description: "the stored bundle lacks its spec or files")
        }
        var files: [String: String] = [:]
        for entry in fileEntries {
            guard case .scalar(let text) = entry.value.content else {
                throw Problem(description: "the stored bundle's file '\(entry.key.value)' is not text")
            }
            files[entry.key.value] = text.value
        }
        var binaryFiles: [String: [UInt8]] = [:]
        if let binary = member("binary_files") {
            guard case .mapping(let binaryEntries) = binary.content else {
                throw Problem(description: "the stored bundle's binary_files is not an object")
            }
            for entry in binaryEntries {
                guard case .scalar(let text) = entry.value.content, let data = Data(base64Encoded: text.value) else {
                    throw Problem(description: "the stored bundle's binary file '\(entry.key.value)' is not base64")
                }
                binaryFiles[entry.key.value] = Array(data)
            }
        }
        self.spec = spec
        self.files = files
        self.binaryFiles = binaryFiles
    }

    /// Decodes and validates the spec again, with the bundle's files standing in for the directory.
    public func workshop(plan: Plan? = nil) throws -> Workshop {
        let loaded = SpecLoader(plan: plan).load(root: spec, file: SourceFile(path: "bundle.json", bytes: []), files: BundledFiles(files, binary: binaryFiles))
        guard let workshop = loaded.workshop else {
            throw Problem(description: "the stored bundle does not validate: " + loaded.diagnostics.map { "\($0.location): \($0.message)" }.joined(separator: "; "))
        }
        return workshop
    }

    /// The spec as a readable `workshop.yaml`.
    public var specYAML: String { Self.yaml(spec, header: "Written by nalabo from a published bundle; edit freely.") }

    /// A spec's node tree as a readable `workshop.yaml`: keys in the order the schema lists them, after a comment.
    public static func yaml(_ spec: Node, header: String) -> String {
        header.split(separator: "\n", omittingEmptySubsequences: false).map { "# \($0)\n" }.joined()
            + YAMLWriter.write(spec.ordered(as: SpecSchema.workshop))
    }

    /// A spec written as JSON (a ``JSONValue``) as a readable `workshop.yaml`.
    public static func yaml(json: JSONValue, header: String) throws -> String {
        let sink = DiagnosticSink(file: "spec.json")
        guard let root = YAMLParser.parse(SourceFile(path: "spec.json", text: json.canonical), limits: limits, into: sink) else {
            throw Problem(description: "the spec cannot be read back: \(sink.diagnostics.first?.message ?? "empty")")
        }
        return yaml(root, header: header)
    }
}

extension Node {
    /// The node with every mapping's keys in the order the schema lists them (stored JSON sorts them its own
    /// way), so a written spec reads like one a person wrote.
    func ordered(as schema: ObjectSchema) -> Node {
        guard case .mapping(let entries) = content else { return self }
        let rank = Dictionary(schema.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let sorted = entries.enumerated().sorted { left, right in
            (rank[left.element.key.value] ?? Int.max, left.offset) < (rank[right.element.key.value] ?? Int.max, right.offset)
        }.map { _, entry in
            var entry = entry
            switch schema.field(entry.key.value)?.shape {
            case .object(let nested)?:
                entry.value = entry.value.ordered(as: nested)
            case .list(of: .object(let nested), _, _)?:
                if case .sequence(let items) = entry.value.content {
                    entry.value.content = .sequence(items.map { $0.ordered(as: nested) })
                }
            default:
                break
            }
            return entry
        }
        var node = self
        node.content = .mapping(sorted)
        return node
    }
}
