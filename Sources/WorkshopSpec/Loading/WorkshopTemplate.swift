/// The starter workshop `nalabo init` writes: it validates cleanly on the free plan and has a step, a
/// challenge with a check script and a solve, so `nalabo test` exercises it from the start.
public enum WorkshopTemplate {
    /// The files to write, by path relative to the workshop directory.
    public static func files(slug: String, title: String) -> [String: String] {
        [
            "workshop.yaml": """
                # Reference: docs/spec.md. Editor completion: nalabo schema > nalabo.schema.json, then add
                # "# yaml-language-server: $schema=nalabo.schema.json" as the first line.
                apiVersion: \(SpecSchema.apiVersion)
                kind: \(SpecSchema.kind)
                metadata:
                  slug: \(slug)
                  title: \(title)
                  version: 0.1.0
                  summary: A hands-on workshop. Describe what learners will be able to do afterwards.
                  tags: [getting-started]
                  difficulty: beginner
                  duration: 15m
                environment:
                  network: isolated
                  containers:
                    - name: workstation
                      image: debian:bookworm-slim
                      workdir: /root
                      resources: {cpus: 0.5, memory: 256Mi, pids: 128}
                limits:
                  session: 1h
                steps:
                  - id: first-file
                    title: Create your first file
                    content_file: steps/first-file.md
                    challenges:
                      - id: hello-file
                        title: Write a greeting into ~/hello.txt
                        hints:
                          - Use echo and redirect its output with >.
                          - "Try: echo 'hello, world' > ~/hello.txt"
                        checks:
                          - name: file-exists
                            run: test -f /root/hello.txt
                            fail_message: There is no ~/hello.txt yet.
                          - name: says-hello
                            script: checks/says-hello.sh
                            points: 2
                            fail_message: ~/hello.txt does not say hello yet.
                        solve:
                          run: echo 'hello, world' > /root/hello.txt

                """,
            "steps/first-file.md": """
                # Create your first file

                Every shell command can send its output into a file. Run:

                ```sh
                echo 'hello, world' > ~/hello.txt
                cat ~/hello.txt
                ```

                Then run `nalabo check` to see whether the challenge is complete.

                """,
            "checks/says-hello.sh": """
                #!/bin/sh
                # Passes when ~/hello.txt mentions "hello", in any case.
                if ! grep -qi hello /root/hello.txt 2>/dev/null; then
                  echo "FAIL: ~/hello.txt does not contain the word hello"
                  exit 1
                fi

                """,
        ]
    }

    /// A slug made from a directory name: lowercase, non-alphanumerics as '-', within 63 characters.
    public static func slug(from name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        slug = String(slug.prefix(63))
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "my-workshop" : slug
    }
}
