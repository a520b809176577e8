import CYAML

/// Parses one spec file with libyaml's event API into a located ``Node`` tree, enforcing ``ParseLimits``.
///
/// Problems are reported to the sink as `yaml-syntax`, `document-limit` or `duplicate-key`. Parsing
/// stops at the first `yaml-syntax` or `document-limit` problem (the rest of the file cannot be trusted)
/// and returns nil; duplicate keys are reported and parsing goes on.
public enum YAMLParser {
    public static func parse(_ file: SourceFile, limits: ParseLimits = .standard, into sink: DiagnosticSink) -> Node? {
        guard file.bytes.count <= limits.maxFileBytes else {
            sink.report(.fileTooLarge(bytes: file.bytes.count, limit: limits.maxFileBytes), at: .start)
            return nil
        }
        if let offset = firstInvalidUTF8Offset(file.bytes) {
            sink.report(.invalidUTF8(offset: offset), at: file.location(ofByte: offset))
            return nil
        }
        if let offset = file.bytes.firstIndex(where: isForbiddenControl) {
            sink.report(.rawControlCharacter(file.bytes[offset], offset: offset), at: file.location(ofByte: offset))
            return nil
        }
        var builder = TreeBuilder(file: file, limits: limits, sink: sink)
        return builder.run()
    }

    /// C0 controls other than tab, line feed and carriage return, and DEL: YAML does not allow them raw, and
    /// nalabo allows none but tab and newline in values.
    static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F
    }

    /// The byte offset of the first byte that is not part of well-formed UTF-8, if any.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer(firstInvalidUTF8Offset)
    }

    private static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return index
            }
            guard index + length <= count else { return index }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return index }
            index += length
        }
        return nil
    }
}

/// Turns libyaml events into nodes. One instance parses one file.
///
/// The children of the open collections wait in two shared buffers, `items` for sequences and `entries`
/// for mappings, innermost collection last; each open collection's ``Frame`` records where its children
/// start. A collection's children are moved out in one piece when it ends, so adding a node never copies
/// the collection it goes into.
private struct TreeBuilder {
    private enum Kind {
        case sequence, mapping
    }

    /// An open sequence or mapping.
    private struct Frame {
        var kind: Kind
        var location: SourceLocation
        var anchor: String?
        var style: Style
        /// Where this collection's children start in `items` (a sequence) or `entries` (a mapping).
        var start: Int
        /// The number of nodes this collection stands for once aliases are expanded, itself included.
        var size = 1
        /// A mapping's key, waiting for its value.
        var pendingKey: PendingKey?
        /// The nodes a mapping merges with `<<`, in the order given.
        var mergeSources: [Node] = []
        /// A large mapping's keys and where each is written; a small mapping's entries are searched instead.
        var keyIndex: [String: SourceLocation]?

        init(_ kind: Kind, at location: SourceLocation, anchor: String?, style: Style, start: Int) {
            self.kind = kind
            self.location = location
            self.anchor = anchor
            self.style = style
            self.start = start
        }
    }

    /// Whether a collection is written in flow style (`[ ]`, `{ }`) and where it starts (0-based), for the
    /// checks of ``StrictYAML``.
    private struct Style {
        var isFlow: Bool
        var line: Int
        var column: Int
    }

    private enum PendingKey {
        case key(Located<String>)
        case merge
        /// A key nalabo cannot use (a sequence or mapping); its value is parsed and dropped.
        case invalid
        /// A repeated key; its value is dropped after the duplicate was reported.
        case duplicate
    }

    /// Up to this many keys, a mapping is searched for a repeated key one entry after the other, which is
    /// faster than hashing for the short mappings of a spec; a longer mapping gets a ``Frame/keyIndex``.
    private static let keysSearchedInPlace = 16

    let file: SourceFile
    let limits: ParseLimits
    let sink: DiagnosticSink
    private var stack: [Frame] = []
    /// The items of the open sequences, in order.
    private var items: [Node] = []
    /// The entries of the open mappings, in order.
    private var entries: [Node.Entry] = []
    private var anchors: [String: Node] = [:]
    private var aliasUses = 0
    private var nodeCount = 0
    private var documents = 0
    private var root: Node?
    private var failed = false
    /// Built on first use: most scalars need none of its checks.
    private lazy var strict = StrictYAML(file.bytes)

    init(file: SourceFile, limits: ParseLimits, sink: DiagnosticSink) {
        self.file = file
        self.limits = limits
        self.sink = sink
    }

    mutating func run() -> Node? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            sink.report(.yamlSyntax, "libyaml could not allocate a parser", at: .start)
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = file.bytes
        bytes.withUnsafeBufferPointer { buffer in
            // libyaml reads from the buffer lazily, so every event is consumed inside this closure.
            // The encoding is left to libyaml's detection so that it skips a byte-order mark; the bytes are
            // known to be UTF-8 already.
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while !failed {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportParserError(parser)
                    return
                }
                let type = event.type
                handle(event)
                yaml_event_delete(&event)
                if type == YAML_STREAM_END_EVENT { return }
            }
        }
        return failed ? nil : root
    }

    // MARK: Events

    private mutating func handle(_ event: yaml_event_t) {
        let location = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail(.multipleDocuments, at: location)
            } else if event.data.document_start.implicit == 0,
                      let glued = strict.directiveWithGluedComment(beforeLine: Int(event.end_mark.line)) {
                fail(.gluedComment, at: glued)
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            guard rejectTag(data.tag, at: location) else { return }
            let length = Int(data.length)
            guard length <= limits.maxScalarBytes else {
                return fail(.scalarTooLong(bytes: length, limit: limits.maxScalarBytes), at: location)
            }
            // The raw bytes are checked before a String is made of them; libyaml writes well-formed UTF-8.
            let raw = UnsafeBufferPointer<UInt8>(start: data.value, count: data.value == nil ? 0 : length)
            if let control = raw.first(where: Self.isForbiddenInValue) {
                return fail(.controlCharacter(control), at: location)
            }
            let value = String(decoding: raw, as: UTF8.self)
            let style: Scalar.Style = switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            guard checkScalar(value, style: style, event: event) else { return }
            let node = Node(.scalar(Scalar(value: value, style: style)), at: location, expandedSize: 1)
            guard count(nodes: 1, at: location) else { return }
            register(node, anchor: string(data.anchor))
            add(node)
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            aliasUses += 1
            guard aliasUses <= limits.maxAliases else {
                return fail(.tooManyAliases(limit: limits.maxAliases), at: location)
            }
            guard let node = anchors[name] else {
                return fail(.undefinedAlias(name), at: location)
            }
            guard count(nodes: node.expandedSize, at: location) else { return }
            add(node)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            guard rejectTag(data.tag, at: location), enter(at: location), count(nodes: 1, at: location) else { return }
            let style = Style(isFlow: data.style == YAML_FLOW_SEQUENCE_STYLE, line: Int(event.start_mark.line), column: Int(event.start_mark.column))
            stack.append(Frame(.sequence, at: location, anchor: string(data.anchor), style: style, start: items.count))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            guard rejectTag(data.tag, at: location), enter(at: location), count(nodes: 1, at: location) else { return }
            let style = Style(isFlow: data.style == YAML_FLOW_MAPPING_STYLE, line: Int(event.start_mark.line), column: Int(event.start_mark.column))
            stack.append(Frame(.mapping, at: location, anchor: string(data.anchor), style: style, start: entries.count))
        case YAML_SEQUENCE_END_EVENT:
            guard let frame = stack.popLast(), frame.kind == .sequence else { return }
            let sequence = Array(items[frame.start...])
            items.removeSubrange(frame.start...)
            guard checkFlowCollection(frame.style, event: event) else { return }
            let node = Node(.sequence(sequence), at: frame.location, expandedSize: frame.size)
            register(node, anchor: frame.anchor)
            add(node)
        case YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast(), frame.kind == .mapping else { return }
            let own = Array(entries[frame.start...])
            entries.removeSubrange(frame.start...)
            guard checkFlowCollection(frame.style, event: event) else { return }
            let node = Node(.mapping(merged(own, sources: frame.mergeSources)), at: frame.location, expandedSize: frame.size)
            register(node, anchor: frame.anchor)
            add(node)
        default:
            break  // stream start/end and document end carry nothing nalabo needs
        }
    }

    /// Adds a finished node to the collection being built, or makes it the document's root.
    private mutating func add(_ node: Node) {
        guard let top = stack.indices.last else {
            root = node
            return
        }
        stack[top].size += node.expandedSize
        switch stack[top].kind {
        case .sequence:
            items.append(node)
        case .mapping:
            if let pending = stack[top].pendingKey {
                stack[top].pendingKey = nil
                switch pending {
                case .key(let key): entries.append(Node.Entry(key: key, value: node))
                case .merge:
                    let sources = mergeSources(in: node)
                    stack[top].mergeSources += sources
                case .invalid, .duplicate: break
                }
            } else {
                stack[top].pendingKey = key(for: node, inMappingAt: top)
            }
        }
    }

    private mutating func key(for node: Node, inMappingAt index: Int) -> PendingKey {
        guard case .scalar(let scalar) = node.content else {
            sink.report(.complexKey, at: node.location)
            return .invalid
        }
        if scalar.style == .plain && scalar.value == "<<" { return .merge }
        if let first = location(ofKey: scalar.value, inMappingAt: index) {
            sink.report(.duplicateKey(scalar.value), at: node.location, notes: [.init("first defined here", at: first)])
            return .duplicate
        }
        remember(scalar.value, at: node.location, inMappingAt: index)
        return .key(Located(scalar.value, at: node.location))
    }

    /// Where a key of the open mapping at `index` in `stack` is written, if it has that key.
    ///
    /// A key the mapping has is in its entries, or is its pending key while its value is parsed; no other
    /// key of the mapping can arrive during that time, so the entries are all there is to search.
    private func location(ofKey key: String, inMappingAt index: Int) -> SourceLocation? {
        if let keyIndex = stack[index].keyIndex { return keyIndex[key] }
        for entry in entries[stack[index].start...] where entry.key.value == key {
            return entry.key.location
        }
        return nil
    }

    /// Records a new key of the open mapping at `index` in `stack`, indexing the keys once there are many.
    private mutating func remember(_ key: String, at location: SourceLocation, inMappingAt index: Int) {
        if stack[index].keyIndex != nil {
            stack[index].keyIndex?[key] = location
            return
        }
        let start = stack[index].start
        guard entries.count - start >= Self.keysSearchedInPlace else { return }
        var keyIndex: [String: SourceLocation] = [:]
        keyIndex.reserveCapacity(2 * (entries.count - start + 1))
        for entry in entries[start...] { keyIndex[entry.key.value] = entry.key.location }
        keyIndex[key] = location
        stack[index].keyIndex = keyIndex
    }

    /// The mappings a merge key's value contributes; anything else in it is reported.
    private func mergeSources(in node: Node) -> [Node] {
        switch node.content {
        case .mapping:
            return [node]
        case .sequence(let items):
            var sources: [Node] = []
            for item in items {
                if case .mapping = item.content {
                    sources.append(item)
                } else {
                    sink.report(.invalidMerge, at: item.location)
                }
            }
            return sources
        case .scalar:
            sink.report(.invalidMerge, at: node.location)
            return []
        }
    }

    /// Applies merge keys: explicit keys win, then earlier merge sources over later ones.
    private func merged(_ own: [Node.Entry], sources: [Node]) -> [Node.Entry] {
        guard !sources.isEmpty else { return own }
        var entries = own
        var present = Set(own.lazy.map(\.key.value))
        for source in sources {
            guard case .mapping(let sourceEntries) = source.content else { continue }
            for entry in sourceEntries where present.insert(entry.key.value).inserted {
                entries.append(entry)
            }
        }
        return entries
    }

    // MARK: What libyaml lets through

    /// The indentation of the block collection a node sits in, or nil inside a flow collection
    /// (the outermost flow collection is checked as a whole).
    private var parentIndent: Int? {
        guard let top = stack.indices.last else { return -1 }
        let parent = stack[top].style
        return parent.isFlow ? nil : parent.column
    }

    private mutating func checkScalar(_ value: String, style: Scalar.Style, event: yaml_event_t) -> Bool {
        let (start, end) = (event.start_mark, event.end_mark)
        switch style {
        case .singleQuoted, .doubleQuoted:
            if strict.commentWithoutSpace(at: strict.offset(line: Int(end.line), column: Int(end.column))) {
                fail(.gluedComment, at: SourceLocation(line: Int(end.line) + 1, column: Int(end.column) + 1))
                return false
            }
            if let indent = parentIndent,
               let line = strict.underIndentedLine(from: Int(start.line), through: Int(end.line), parentIndent: indent) {
                fail(.underIndented, at: line)
                return false
            }
        case .literal, .folded:
            if strict.headerCommentWithoutSpace(at: strict.offset(line: Int(start.line), column: Int(start.column))) {
                fail(.gluedComment, at: SourceLocation(line: Int(start.line) + 1, column: Int(start.column) + 2))
                return false
            }
            if let line = strict.overIndentedLeadingLine(headerLine: Int(start.line), parentIndent: parentIndent ?? -1) {
                fail(.overIndentedEmptyLine, at: line)
                return false
            }
        case .plain:
            if value == "-", parentIndent == nil {
                fail(.dashInFlow, at: SourceLocation(line: Int(start.line) + 1, column: Int(start.column) + 1))
                return false
            }
        }
        return true
    }

    /// Checks an outermost flow collection when it ends; `stack` no longer holds it.
    private mutating func checkFlowCollection(_ style: Style, event: yaml_event_t) -> Bool {
        guard style.isFlow, let indent = parentIndent else { return true }
        let end = event.end_mark
        let startOffset = strict.offset(line: style.line, column: style.column)
        let endOffset = strict.offset(line: Int(end.line), column: Int(end.column))
        if strict.commentWithoutSpace(at: endOffset) {
            fail(.gluedComment, at: SourceLocation(line: Int(end.line) + 1, column: Int(end.column) + 1))
            return false
        }
        if let glued = strict.gluedComment(inFlowFrom: startOffset, to: endOffset) {
            fail(.gluedComment, at: file.location(ofByte: glued))
            return false
        }
        if let line = strict.underIndentedLine(from: style.line, through: Int(end.line), parentIndent: indent) {
            fail(.underIndented, at: line)
            return false
        }
        return true
    }

    // MARK: Limits

    private mutating func enter(at location: SourceLocation) -> Bool {
        guard stack.count < limits.maxDepth else {
            fail(.tooDeep(limit: limits.maxDepth), at: location)
            return false
        }
        return true
    }

    private mutating func count(nodes: Int, at location: SourceLocation) -> Bool {
        nodeCount += nodes
        guard nodeCount <= limits.maxNodes else {
            fail(.tooManyNodes(limit: limits.maxNodes), at: location)
            return false
        }
        return true
    }

    private mutating func rejectTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, at location: SourceLocation) -> Bool {
        guard var tag = string(tag) else { return true }
        // libyaml resolves '!!str' to the full tag; show it the way it was written.
        let core = "tag:yaml.org,2002:"
        if tag.hasPrefix(core) { tag = "!!" + tag.dropFirst(core.count) }
        fail(.explicitTag(tag), at: location)
        return false
    }

    private mutating func register(_ node: Node, anchor: String?) {
        if let anchor { anchors[anchor] = node }
    }

    private mutating func fail(_ message: Message, at location: SourceLocation) {
        guard !failed else { return }
        failed = true
        sink.report(message, at: location)
    }

    private mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = string(parser.problem) ?? "unknown problem"
        let context = string(parser.context)
        let location: SourceLocation
        if parser.error == YAML_READER_ERROR {
            location = file.location(ofByte: Int(parser.problem_offset))
        } else {
            location = SourceLocation(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        }
        let contextLocation = SourceLocation(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
        var notes: [Diagnostic.Note] = []
        if let context, !context.isEmpty, parser.error != YAML_READER_ERROR, contextLocation != location {
            notes.append(.init(context.replacing("while ", with: "") + " started here", at: contextLocation))
        }
        guard !failed else { return }
        failed = true
        sink.report(.libyaml(problem: problem, context: context), at: location, notes: notes)
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    static func isForbiddenInValue(_ byte: UInt8) -> Bool { YAMLParser.isForbiddenInValue(byte) }
}

extension YAMLParser {
    /// Whether a byte of a scalar's value is a C0 control character other than tab and newline, or DEL: what no
    /// value (and so no bundled text) may hold.
    static func isForbiddenInValue(_ byte: UInt8) -> Bool {
        byte == 0x0D || isForbiddenControl(byte)
    }
}
