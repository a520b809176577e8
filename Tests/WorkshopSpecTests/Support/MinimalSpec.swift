import Foundation
@_exported import TestSupport

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
