import Dispatch

extension SpecLoader {
    /// Validates many spec files, on every core, into one report that lists them in the order of `paths`.
    ///
    /// The report is the same as `ValidationReport(paths.map(load(path:)))`: each file is loaded on its own (its own
    /// sink, directory and decoding context, nothing shared but immutable schema and plan tables), and each result
    /// lands at its path's position, so the order never depends on which thread finished first. Only a file's text
    /// and diagnostics are kept: its model is freed on the core that built it as soon as it is validated, rather
    /// than every model of the run one after another at the end.
    public func report(paths: [String]) -> ValidationReport {
        let slots = Slots(count: paths.count)
        let check: @Sendable (Int) -> ValidationReport.File = { index in
            let spec = load(path: paths[index])
            return ValidationReport.File(source: spec.file, diagnostics: spec.diagnostics)
        }
        if paths.count > 1 {
            // concurrentPerform hands out indices dynamically, so a large file does not hold back the others,
            // and returns once every iteration is done.
            DispatchQueue.concurrentPerform(iterations: paths.count) { index in
                slots[index] = check(index)
            }
        }
        return ValidationReport(files: slots.results(else: check))
    }
}

/// One result slot per path, written by the iteration of that index only.
///
/// `@unchecked Sendable` is sound because no two iterations touch the same slot, the buffer itself never
/// moves or grows, and the slots are read only after `DispatchQueue.concurrentPerform` has returned, which
/// orders every write before the reads.
private final class Slots: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<ValidationReport.File?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }

    subscript(index: Int) -> ValidationReport.File? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// The results in order; `fallback` fills a slot that was never written (every slot, for a single path).
    func results(else fallback: (Int) -> ValidationReport.File) -> [ValidationReport.File] {
        storage.indices.map { index in storage[index] ?? fallback(index) }
    }
}
