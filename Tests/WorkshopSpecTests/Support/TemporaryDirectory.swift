import Foundation

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nalabo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file, creating its folders.
    func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, bytes: Array(text.utf8))
    }

    func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// The package's root directory, found from this file's path.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

/// A minimal valid workshop, for tests that change one part of it.
let minimalSpec = """
    apiVersion: nalabo/v1
    kind: Workshop
    metadata:
      slug: minimal
      title: Minimal
      version: 1.0.0
    environment:
      containers:
        - name: box
          image: debian:bookworm-slim
    steps:
      - id: only
        title: The only step
        content: Do it.
        challenges:
          - id: touch
            title: Touch a file
            checks:
              - run: test -f /tmp/done
            solve:
              run: touch /tmp/done

    """
