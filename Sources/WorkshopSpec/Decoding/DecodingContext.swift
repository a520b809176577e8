/// What decoding one spec file needs besides the node tree: where to report, where referenced files live,
/// and what earlier parts of the spec declared.
final class DecodingContext {
    let sink: DiagnosticSink
    let directory: WorkshopFiles
    /// The names of the containers, once `environment.containers` has been read; scripts default to the
    /// only one and must name one of them.
    var containerNames: [String] = []

    init(sink: DiagnosticSink, directory: WorkshopFiles) {
        self.sink = sink
        self.directory = directory
    }
}
