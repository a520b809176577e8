/// A code block the learner can run with one command (`nalabo run N`) or one click (the portal's Run button):
/// a fenced block whose info string has the word `run`, or `run=CONTAINER` for another container than the
/// first (```` ```sh run ````, ```` ```sh run=web ````). Other fenced blocks are only copied.
public struct RunnableBlock: Sendable, Equatable {
    /// The commands, without the fence.
    public var code: String
    /// The container named by `run=CONTAINER`; nil for the default one.
    public var container: String?

    public init(code: String, container: String? = nil) {
        self.code = code
        self.container = container
    }
}

public enum RunnableBlocks {
    /// The runnable blocks of a document, in order.
    public static func find(in markdown: String) -> [RunnableBlock] {
        guard let tree = MarkdownTree(markdown) else { return [] }
        var found: [RunnableBlock] = []
        var pending = [tree.root]
        // Depth first, in document order, without recursion.
        while let node = pending.popLast() {
            if node.kind == .codeBlock, let container = marker(node.info) {
                found.append(RunnableBlock(code: node.literal, container: container.isEmpty ? nil : container))
            }
            pending += node.children.reversed()
        }
        return found
    }

    /// For an info string that marks a block runnable, the container it names ("" for the default); else nil.
    static func marker(_ info: String) -> String? {
        for word in info.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if word == "run" { return "" }
            if word.hasPrefix("run=") { return String(word.dropFirst(4)) }
        }
        return nil
    }
}
