import CLibCrypto
import Foundation

/// A workshop in canonical form: the spec with every default written out, plus the text of every file it
/// references. Its digest identifies the workshop's content; the catalogue stores versions by it.
///
/// The canonical JSON is RFC 8785: the digest does not change with YAML formatting, comments, key order,
/// anchors or `x-` extensions, and changes with any value that matters or any referenced file.
public struct WorkshopBundle: Sendable {
    /// The bundle format, so that a later nalabo can read older bundles.
    public static let format = "nalabo.bundle/v1"

    public let json: JSONValue

    public init(_ workshop: Workshop) {
        let binary = workshop.binaryFiles
        json = .members([
            ("format", .string(Self.format)),
            ("spec", workshop.canonicalSpec),
            ("files", .object(workshop.referencedFiles.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            // Base64, and only when there are any, so the bundles (and digests) of every other workshop stay as they were.
            ("binary_files", binary.isEmpty ? nil
                : .object(binary.sorted { $0.key < $1.key }.map { ($0.key, .string(Data($0.value).base64EncodedString())) })),
        ])
    }

    /// The canonical JSON text.
    public var canonicalText: String { json.canonical }

    /// `sha256:` and the hex SHA-256 of the canonical text.
    public var digest: String { "sha256:" + SHA256.hex(Array(canonicalText.utf8)) }
}

/// SHA-256 through OpenSSL's libcrypto.
public enum SHA256 {
    /// The lowercase hex SHA-256 of some bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "libcrypto's SHA-256 failed")  // only on a broken libcrypto install
        return digest.prefix(Int(length)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension Workshop {
    /// Every referenced file, by the path the spec names it with.
    public var referencedFiles: [String: String] {
        var files: [String: String] = [:]
        for step in steps {
            if case .file(let path, let text) = step.content { files[path] = text }
            for challenge in step.challenges {
                if case .file(let path, let text)? = challenge.content { files[path] = text }
            }
        }
        for script in scripts {
            if case .file(let path, let text) = script.source { files[path] = text }
        }
        for copy in fileCopies {
            if case .file(let path, let bytes) = copy.source, let text = FileSource.text(of: bytes) { files[path] = text }
        }
        return files
    }

    /// The files `files:` copies that are not text (not UTF-8, or holding NUL), by path: base64 in the bundle.
    public var binaryFiles: [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for copy in fileCopies {
            if case .file(let path, let bytes) = copy.source, FileSource.text(of: bytes) == nil { files[path] = bytes }
        }
        return files
    }

    /// The spec with every default written out, in the spec format's own keys.
    var canonicalSpec: JSONValue {
        SpecSchema.workshop.object([
            ("apiVersion", .string(SpecSchema.apiVersion)),
            ("kind", .string(SpecSchema.kind)),
            ("metadata", metadata.json),
            ("environment", environment.json),
            ("limits", SpecSchema.limits.object([("session", .string(limits.session.description))])),
            ("steps", .array(steps.map(\.json))),
        ])
    }
}

extension Metadata {
    var json: JSONValue {
        SpecSchema.metadata.object([
            ("slug", .string(slug)), ("title", .string(title)), ("version", .string(version)),
            ("summary", .string(summary)),
            ("tags", tags.isEmpty ? nil : .array(tags.map { .string($0.value) })),
            ("difficulty", .string(difficulty?.rawValue)),
            ("duration", .string(duration?.description)),
        ])
    }
}

extension Environment {
    var json: JSONValue {
        SpecSchema.environment.object([
            ("network", .string(network.rawValue)),
            ("containers", .array(containers.map(\.json))),
            ("setup", .array(setup.map { $0.json() })),
        ])
    }
}

extension Container {
    var json: JSONValue {
        SpecSchema.container.object([
            ("name", .string(name)), ("image", .string(image)), ("shell", .string(shell)),
            ("workdir", .string(workdir)), ("user", .string(user)),
            ("env", env.isEmpty ? nil : env.json),
            ("ports", ports.isEmpty ? nil : .array(ports.map { .int(Int64($0.value)) })),
            ("resources", SpecSchema.resources.object([
                ("cpus", .double(resources.cpus)),
                ("memory", .string(resources.memory.description)),
                ("pids", .int(Int64(resources.pids))),
                ("disk", resources.disk.map { .string($0.wrappedValue.description) }),
            ])),
            // Only when given, so the digests of workshops without it do not change.
            ("capabilities", capabilities.isEmpty ? nil : .array(capabilities.map { .string($0.value) })),
            // The names only: the values are given when a session starts and never leave that machine.
            ("secrets", secrets.isEmpty ? nil : .array(secrets.map { .string($0.value) })),
            ("files", files.isEmpty ? nil : .array(files.map { $0.json(naming: false) })),
        ])
    }
}

extension FileCopy {
    /// The file's members; a container's own files do not name their container.
    func json(naming container: Bool = true) -> JSONValue {
        let source: (String, JSONValue) = switch self.source {
        case .inline(let text): ("content", .string(text))
        case .file(let path, _): ("source", .string(path))
        }
        return (container ? SpecSchema.file : SpecSchema.containerFile).object([
            ("container", container ? .string(self.container) : nil), source, ("target", .string(target)),
            ("mode", mode.map { .string(FileMode.text($0)) }), ("owner", .string(owner.description)), ("extract", .bool(extract)),
        ])
    }
}

extension [EnvironmentVariable] {
    var json: JSONValue { .object(map { ($0.name, .string($0.value)) }) }
}

extension Script {
    /// The script's members; a check adds its own to them (and is a `check` of the schema, not a `script`).
    func json(as schema: ObjectSchema = SpecSchema.script, adding extra: [(String, JSONValue?)] = []) -> JSONValue {
        let source: (String, JSONValue) = switch self.source {
        case .inline(let text): ("run", .string(text))
        case .file(let path, _): ("script", .string(path))
        }
        return schema.object([
            ("container", .string(container)), source, ("timeout", .string(timeout.description)),
            ("user", .string(user)), ("workdir", .string(workdir)), ("env", env.isEmpty ? nil : env.json),
        ] + extra)
    }
}

extension Content {
    /// The member a step or challenge writes its content with.
    var member: (String, JSONValue) {
        switch self {
        case .inline(let text): ("content", .string(text))
        case .file(let path, _): ("content_file", .string(path))
        }
    }
}

extension Step {
    var json: JSONValue {
        // `setup` only when there is one, so the digests of workshops without step setups do not change.
        SpecSchema.step.object([("id", .string(id)), ("title", .string(title)), content.member, ("setup", setup?.json()),
                  ("challenges", .array(challenges.map(\.json))),
                  ("files", files.isEmpty ? nil : .array(files.map { $0.json() }))])
    }
}

extension Challenge {
    var json: JSONValue {
        SpecSchema.challenge.object([
            ("id", .string(id)), ("title", .string(title)),
            content.map { ($0.member.0, $0.member.1) } ?? ("content", nil),
            ("hints", hints.isEmpty ? nil : .array(hints.map(JSONValue.string))),
            ("needs", needs.isEmpty ? nil : .array(needs.map { .string($0.value) })),
            ("setup", setup?.json()),
            ("checks", .array(checks.map(\.json))),
            ("solve", solve?.json()),
            ("cleanup", cleanup?.json()),
            ("files", files.isEmpty ? nil : .array(files.map { $0.json() })),
        ])
    }
}

extension Check {
    var json: JSONValue {
        script.json(as: SpecSchema.check, adding: [
            ("name", .string(name)),
            ("points", .int(Int64(points))),
            ("expect", SpecSchema.expectation.object([
                ("exit", .int(Int64(expect.exit))), ("stdout", .string(expect.stdout)),
                ("stdout_contains", .string(expect.stdoutContains)), ("stdout_matches", .string(expect.stdoutMatches)),
            ])),
            ("fail_message", .string(failMessage)),
            // Written only when it hides output, so the bundles (and digests) of every other check stay as they were.
            ("show_output", showOutput ? nil : .bool(false)),
        ])
    }
}

extension ObjectSchema {
    /// An object of this schema in the bundle: the members given, nil ones left out. Every key must be one of the
    /// schema's fields — the bundle speaks the spec format and nothing else (checked in debug builds, which the
    /// tests run; ``SpecSchema`` stays the one place keys are defined).
    func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        for (key, value) in members where value != nil { assert(field(key) != nil, "'\(key)' is not a field of \(name) in SpecSchema") }
        return .members(members)
    }
}
