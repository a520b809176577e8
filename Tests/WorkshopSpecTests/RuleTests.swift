import Testing
@testable import WorkshopSpec

/// Each rule fires at the documented position: unknown and duplicate keys at the key, wrong types and
/// values at the value, a missing key at the mapping that lacks it, a duplicate id at the second
/// occurrence, a bad reference at the reference.
@Suite struct RuleTests {
    @Test func unknownKeyIsReportedAtTheKeyWithASuggestion() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              containers:
                - name: box
                  image: debian:bookworm-slim
                  1️⃣imgae: debian:bookworm-slim
                  x-editor-note: extensions are ignored
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.unknownKey, 1)], in: source)
        #expect(found.first?.help == "did you mean 'image'?")
        #expect(found.first?.message.hasPrefix("unknown key 'imgae' in container; expected one of 'capabilities', 'env', 'files', 'image'") == true)
    }

    @Test func titlesAndSummariesCarryNoTerminalControlCharacters() throws {
        // A title is printed in other people's terminals (catalogue list). The parser already refuses C0
        // controls such as ESC in any value; a C1 CSI (YAML "\x9b") would act on a terminal too, and a tab or
        // newline breaks a one-line title.
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: 1️⃣"Official\\x9b31m", version: 1.0.0, summary: 2️⃣"fine \\x9b31m red"}
            environment:
              containers:
                - name: box
                  image: debian:bookworm-slim
            steps: [{id: s, title: 3️⃣"two\\tcolumns", content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.invalidValue, 1), (.invalidValue, 2), (.invalidValue, 3)], in: source)
        #expect(found.first?.message.hasSuffix("expected one line of text without control characters") == true, "\(found.first?.message ?? "")")
        #expect(found.allSatisfy { !$0.message.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x09 } },
                "messages never carry the control character itself")
        // Tabs and newlines are fine in a summary.
        let plain = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0, summary: "two\\nlines\\tand a tab"}
            environment:
              containers:
                - name: box
                  image: debian:bookworm-slim
            steps: [{id: s, title: S, content: c}]
            """)
        #expect(try diagnostics(plain).filter { $0.severity == .error }.isEmpty)
    }

    @Test func missingKeyIsReportedAtTheMappingThatLacksIt() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            1️⃣metadata: {slug: a, version: 1.0.0}
            environment:
              containers:
                - 2️⃣name: box
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.missingKey, 1), (.missingKey, 2)], in: source)
        #expect(found.map(\.message) == ["missing required key 'title' in metadata", "missing required key 'image' in container"])
    }

    @Test func credentialsInEnvAreWarnedAboutAndSecretsAreNotAlsoEnv() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              containers:
                - 1️⃣name: box
                  image: "debian:bookworm-slim"
                  env: {DB_PASSWORD: changeme, API_TOKEN: "$TOKEN", MODE: ghp_0123456789abcdefghij, TRAINING: ok, APP_SECRET: s3cr3t-value}
                  secrets: [2️⃣MODE2, 3️⃣TRAINING]
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        // The two values that look real (a token's form, a secret's name), then the secret also in env. Placeholders pass.
        expect(found, [(.credentialInEnv, 1), (.credentialInEnv, 1), (.invalidValue, 3)], in: source)
        let warnings = found.filter { $0.rule == .credentialInEnv }.map(\.message).sorted()
        #expect(warnings.count == 2 && warnings[0].contains("'APP_SECRET'") && warnings[0].contains("its name contains SECRET"), "\(warnings)")
        #expect(warnings.count == 2 && warnings[1].contains("'MODE'") && warnings[1].contains("'ghp_' token"), "\(warnings)")
        #expect(found.last?.message == "'TRAINING' is both a secret and an env value of container 'box'")
        _ = source[2]
    }

    @Test func onlyCapabilitiesOfTheBaselineSetCanBeAdded() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              containers:
                - {name: box, image: "debian:bookworm-slim", capabilities: [SYS_CHROOT, 1️⃣SYS_ADMIN, AUDIT_WRITE, 2️⃣NET_RAW, 3️⃣SYS_CHROOT]}
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.invalidValue, 1), (.invalidValue, 2), (.duplicateID, 3)], in: source)
        #expect(found.first?.message.contains("'SYS_ADMIN'") == true, "\(found.map(\.message))")
    }

    @Test func typesFollowTheSchemaNotYAML11() throws {
        // `title: no` and `version: 1.10` would be a boolean and a float in YAML 1.1.
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: no, version: 1.10.0, summary: 1.10}
            environment:
              containers:
                - name: box
                  image: debian:bookworm-slim
                  env: {PORT: 8080, DEBUG: true, EMPTY: ""}
                  ports: [1️⃣"8080", 2️⃣80.5]
                  resources: {cpus: 3️⃣yes, pids: 4️⃣[1]}
            steps: [{id: s, title: 5️⃣{}, content: c}]
            """)
        let loaded = try load(source.text, plan: nil)
        expect(loaded.diagnostics, [(.typeMismatch, 1), (.invalidValue, 2), (.typeMismatch, 3), (.typeMismatch, 4), (.typeMismatch, 5)], in: source)
        #expect(loaded.diagnostics.filter { $0.rule != .noChallenges }.map(\.message) == [
            "expected a whole number for 'ports', found a string '8080'",
            "'ports' must be a whole number, not '80.5'",
            "expected a number for 'cpus', found a string 'yes'",
            "expected a whole number for 'pids', found a list",
            "expected a string for 'title', found a mapping",
        ])
        #expect(loaded.diagnostics.first?.help == "remove the quotes")
    }

    @Test func plainScalarsStayTextWhereTextIsExpected() throws {
        let loaded = try load(minimalSpec.replacing("title: Minimal", with: "title: no\n  summary: 1.10"), plan: nil)
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.workshop?.metadata.title == "no")
        #expect(loaded.workshop?.metadata.summary == "1.10")
    }

    @Test func environmentValuesAreStringsAsWritten() throws {
        let spec = minimalSpec.replacing("image: debian:bookworm-slim", with: "image: debian:bookworm-slim\n      env: {PORT: 8080, DEBUG: true, RATIO: 1.50}")
        let loaded = try load(spec)
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.workshop?.environment.containers.first?.env.map { "\($0.name)=\($0.value)" } == ["PORT=8080", "DEBUG=true", "RATIO=1.50"])
    }

    @Test func nullWhereAValueIsNeededIsATypeMismatch() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: 1️⃣, version: 1.0.0}
            environment: {containers: [{name: box, image: debian:bookworm-slim}]}
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.typeMismatch, 1)], in: source)
        #expect(found.first?.message == "expected a string for 'title', found no value")
    }

    @Test func invalidValuesAreReportedAtTheValue() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: 1️⃣Workshp
            metadata: {slug: 2️⃣My_Workshop, title: A, version: 3️⃣v1, difficulty: 4️⃣easy, tags: [a, 5️⃣a]}
            environment:
              network: 6️⃣offline
              containers:
                - name: box
                  image: 7️⃣Debian:Bookworm
                  workdir: 8️⃣root
                  resources: {memory: 9️⃣lots}
            steps: [{id: s, title: S, content: c}]
            """)
        let found = try diagnostics(source)
        expect(found, [(.invalidValue, 1), (.invalidValue, 2), (.invalidValue, 3), (.invalidValue, 4), (.duplicateID, 5),
                       (.invalidValue, 6), (.invalidValue, 7), (.invalidValue, 8), (.invalidValue, 9)], in: source)
        #expect(found[0].message == "'Workshp' is not a valid value for 'kind'; expected 'Workshop'")
        #expect(found[0].help == "did you mean 'Workshop'?")
        #expect(found[5].message == "'offline' is not a valid value for 'network'; expected 'none', 'isolated' or 'internet'")
    }

    @Test func exactlyOneOfRunAndScriptAndOfContentAndContentFile() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment: {containers: [{name: box, image: debian:bookworm-slim}]}
            steps:
              - 1️⃣id: s
                title: S
                challenges:
                  - id: c
                    title: C
                    checks:
                      - 2️⃣timeout: 5s
                      - run: "true"
                        3️⃣script: check.sh
                    solve: {run: "true"}
            """)
        let found = try diagnostics(source, files: ["check.sh": "true\n"])
        expect(found, [(.missingKey, 1), (.missingKey, 2), (.invalidValue, 3)], in: source)
        #expect(found.map(\.message) == [
            "step needs one of 'content' or 'content_file'",
            "check needs one of 'run' or 'script'",
            "'run' and 'script' cannot both be given",
        ])
    }

    @Test func unsupportedVersionIsReportedAtTheValue() throws {
        let source = MarkedSource(minimalSpec.replacing("apiVersion: nalabo/v1", with: "apiVersion: 1️⃣nalabo/v2"))
        let found = try diagnostics(source)
        expect(found, [(.unsupportedVersion, 1)], in: source)
    }

    @Test func duplicateIdsAreReportedAtTheSecondOccurrence() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              containers:
                - {name: 1️⃣box, image: "debian:bookworm-slim"}
                - {name: 2️⃣box, image: "debian:bookworm-slim"}
            steps:
              - id: 3️⃣s
                title: S
                content: c
                challenges:
                  - id: 4️⃣c
                    title: C
                    checks: [{container: box, run: "true"}, {container: box, name: check-1, run: "false"}]
                    solve: {container: box, run: "true"}
              - id: 5️⃣s
                title: T
                content: c
                challenges:
                  - id: 6️⃣c
                    title: C
                    checks: [{container: box, run: "true"}]
                    solve: {container: box, run: "true"}
            """)
        let found = try diagnostics(source, plan: nil)
        #expect(found.map(\.rule) == [.duplicateID, .duplicateID, .duplicateID, .duplicateID])
        #expect(found.map(\.location) == [source[2], found[1].location, source[5], source[6]])
        #expect(found[0].message == "duplicate container name 'box'; first defined on line 6")
        #expect(found[0].notes == [Diagnostic.Note("first defined here", at: source[1])])
        #expect(found[1].message == "duplicate check name in challenge 'c' 'check-1'; first defined on line 15")
        #expect(found[2].notes.first?.location == source[3])
        #expect(found[3].notes.first?.location == source[4])
    }

    @Test func unknownReferencesAreReportedAtTheReference() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              containers: [{name: web, image: "nginx:1.27"}, {name: db, image: "postgres:16"}]
              setup: [{container: 1️⃣wbe, run: "true"}, 2️⃣{run: "true"}]
            steps:
              - id: s
                title: S
                content: c
                challenges:
                  - id: make-dir
                    title: C
                    needs: [3️⃣make-dri]
                    checks: [{container: web, run: "true"}]
                    solve: {container: db, run: "true"}
            """)
        let found = try diagnostics(source, plan: nil)
        expect(found, [(.unknownReference, 1), (.missingKey, 2), (.unknownReference, 3)], in: source)
        #expect(found[0].help == "did you mean 'web'?")
        #expect(found[1].message == "missing required key 'container' in script; the workshop has 2 containers: 'web', 'db'")
        #expect(found[2].help == "did you mean 'make-dir'?")
    }

    @Test func scriptsDefaultToTheOnlyContainer() throws {
        let loaded = try load(minimalSpec)
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.workshop?.scripts.map(\.container) == ["box", "box"])
    }

    @Test func dependencyCycleIsReportedOnceAtTheClosingReference() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment: {containers: [{name: box, image: "debian:bookworm-slim"}]}
            steps:
              - id: s
                title: S
                content: c
                challenges:
                  - {id: a, title: A, needs: [c], checks: [{run: "true"}], solve: {run: "true"}}
                  - {id: b, title: B, needs: [1️⃣a], checks: [{run: "true"}], solve: {run: "true"}}
                  - {id: c, title: C, needs: [b], checks: [{run: "true"}], solve: {run: "true"}}
                  - {id: d, title: D, needs: [2️⃣d], checks: [{run: "true"}], solve: {run: "true"}}
            """)
        let found = try diagnostics(source)
        expect(found, [(.dependencyCycle, 1), (.dependencyCycle, 2)], in: source)
        #expect(found[0].message == "challenges depend on each other in a cycle: 'a' → 'c' → 'b' → 'a'")
        #expect(found[1].message == "challenges depend on each other in a cycle: 'd' → 'd'")
    }

    @Test func challengesComeInDependencyOrder() throws {
        let spec = """
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment: {containers: [{name: box, image: "debian:bookworm-slim"}]}
            steps:
              - id: s
                title: S
                content: c
                challenges:
                  - {id: last, title: L, needs: [middle, first], checks: [{run: "true"}], solve: {run: "true"}}
                  - {id: middle, title: M, needs: [first], checks: [{run: "true"}], solve: {run: "true"}}
                  - {id: first, title: F, checks: [{run: "true"}], solve: {run: "true"}}
            """
        let workshop = try #require(try load(spec).workshop)
        #expect(workshop.challengesInDependencyOrder.map(\.id) == ["first", "middle", "last"])
    }

    @Test func warningsForUnpinnedImagesAndMissingSolves() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment: {containers: [{name: box, image: 1️⃣"debian:latest"}]}
            steps:
              - id: s
                title: S
                content: c
                challenges:
                  - {id: 2️⃣unsolved, title: U, checks: [{run: "true"}]}
            """)
        let loaded = try load(source.text)
        expect(loaded.diagnostics, [(.unpinnedImage, 1), (.missingSolve, 2)], in: source)
        #expect(loaded.diagnostics.allSatisfy { $0.severity == .warning })
        // Warnings alone leave the workshop usable.
        #expect(loaded.workshop != nil)
    }

    @Test func portsNeedANetworkToBeServedOn() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: a, title: A, version: 1.0.0}
            environment:
              network: none
              containers:
                - {name: web, image: "debian:bookworm-slim", ports: [1️⃣8080, 9090]}
            steps: [{id: s, title: S, content: c}]
            """)
        let loaded = try load(source.text)
        expect(loaded.diagnostics, [(.invalidValue, 1)], in: source)
        #expect(loaded.diagnostics.first?.message == "container 'web' publishes ports, but with network: none nothing can reach them")
        // The same container on an isolated network is fine.
        let isolated = try load(source.text.replacingOccurrences(of: "network: none", with: "network: isolated"))
        #expect(isolated.diagnostics.map(\.rule) == [.noChallenges] && isolated.workshop != nil)
    }

    @Test func oneRunReportsProblemsFromEveryPart() throws {
        let source = MarkedSource("""
            apiVersion: nalabo/v1
            kind: Workshop
            metadata: {slug: 1️⃣Bad, title: A, version: 1.0.0}
            environment: {containers: [{name: box, image: "debian:bookworm-slim", 2️⃣port: 80}]}
            steps:
              - id: s
                title: S
                content: c
                challenges:
                  - {id: a, title: A, needs: [3️⃣nope], checks: [{run: "true", timeout: 4️⃣3m}], solve: {run: "true"}}
            """)
        expect(try diagnostics(source), [(.invalidValue, 1), (.unknownKey, 2), (.unknownReference, 3), (.invalidValue, 4)], in: source)
    }
}
