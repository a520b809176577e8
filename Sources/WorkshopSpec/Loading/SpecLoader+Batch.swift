import Dispatch

extension SpecLoader {
    /// Loads many spec files, on every core, and returns them in the order of `paths`.
    ///
    /// The result is the same as `paths.map(load(path:))`: each file is loaded on its own (its own sink,
    /// directory and decoding context, nothing shared but immutable schema and plan tables), and each result
    /// lands at its path's position, so the order never depends on which thread finished first.
    public func load(paths: [String]) -> [LoadedSpec] {
        guard paths.count > 1 else { return paths.map(load(path:)) }
        let slots = Slots(count: paths.count)
        // concurrentPerform hands out indices dynamically, so a large file does not hold back the others,
        // and returns once every iteration is done.
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            slots[index] = load(path: paths[index])
        }
        return slots.results(else: { index in load(path: paths[index]) })
    }
}

/// One result slot per path, written by the iteration of that index only.
///
/// `@unchecked Sendable` is sound because no two iterations touch the same slot, the buffer itself never
/// moves or grows, and the slots are read only after `DispatchQueue.concurrentPerform` has returned, which
/// orders every write before the reads.
private final class Slots: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<LoadedSpec?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }

    subscript(index: Int) -> LoadedSpec? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// The results in order; `fallback` fills a slot that was never written, which does not happen.
    func results(else fallback: (Int) -> LoadedSpec) -> [LoadedSpec] {
        storage.indices.map { index in storage[index] ?? fallback(index) }
    }
}
