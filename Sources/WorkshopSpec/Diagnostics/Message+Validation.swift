extension Message {
    static func duplicateIdentifier(_ value: String, kind: String, firstLine: Int) -> Message {
        Message(.duplicateID, "duplicate \(kind) \(quoted(value)); first defined on line \(firstLine)",
                help: "give each one a distinct name")
    }

    static func unknownChallenge(_ id: String, known: [String]) -> Message {
        let suggestion = closestMatch(to: id, in: known).map { "did you mean \(quoted($0))?" }
        return Message(.unknownReference, "unknown challenge \(quoted(id)) in 'needs'",
                       help: suggestion ?? (known.isEmpty ? "the workshop has no challenges" : "challenges are: \(choices(known))"))
    }

    static func unknownContainer(_ name: String, known: [String]) -> Message {
        let suggestion = closestMatch(to: name, in: known).map { "did you mean \(quoted($0))?" }
        return Message(.unknownReference, "unknown container \(quoted(name)) in 'container'",
                       help: suggestion ?? "containers are: \(choices(known))")
    }

    static func dependencyCycle(_ path: [String]) -> Message {
        Message(.dependencyCycle, "challenges depend on each other in a cycle: \(path.map { quoted($0) }.joined(separator: " → "))",
                help: "remove one of these needs so that some challenge can be done first")
    }

    static func portsWithoutNetwork(_ container: String) -> Message {
        Message(.invalidValue, "container \(quoted(container)) publishes ports, but with network: none nothing can reach them",
                help: "set environment.network to isolated (or internet), or remove the ports")
    }

    static func missingSolve(_ id: String) -> Message {
        Message(.missingSolve, "challenge \(quoted(id)) has no solve, so `nalabo test` cannot prove it is solvable",
                help: "add solve: {run: ...} with a reference solution")
    }

    static func needsLaterStep(_ id: String, needs: String, step: String) -> Message {
        Message(.needsLaterStep, "challenge \(quoted(id)) needs \(quoted(needs)), which belongs to the later step \(quoted(step)); a learner reaches that step only after this one, so \(quoted(id)) could never start",
                help: "move one of the two challenges so that the needed one comes in the same step or an earlier one")
    }

    static func credentialInEnv(_ name: String, container: String, why: String) -> Message {
        Message(.credentialInEnv, "the value of \(quoted(name)) in container \(quoted(container)) looks like a credential (\(why)); everyone who can read the spec, its bundle or the catalogue can read it",
                help: "list \(quoted(name)) under the container's secrets: and give the value when the session starts (NALABO_SECRET_\(name) or nalabo up --secrets FILE)")
    }

    static func secretAlsoInEnv(_ name: String, container: String) -> Message {
        Message(.invalidValue, "\(quoted(name)) is both a secret and an env value of container \(quoted(container))",
                help: "remove it from env: its value comes from the secret")
    }

    static func invalidTarget(_ target: String, _ problem: String) -> Message {
        Message(.invalidValue, "target \(quoted(target)) cannot be written: \(problem)",
                help: "give the absolute path of the file to write (or, with extract, of the directory to unpack into)")
    }

    static var extractNeedsSource: Message {
        Message(.invalidValue, "extract unpacks an archive read from source:, but this file is written inline with content:",
                help: "give the archive as source: PATH, or remove extract")
    }

    static var modeWithExtract: Message {
        Message(.invalidValue, "mode sets one written file's permissions; the entries of an unpacked archive keep their own",
                help: "remove mode (set the modes inside the archive), or remove extract to copy the file as it is")
    }

    static var noChallenges: Message {
        Message(.noChallenges, "the workshop has no challenge: nothing is graded, and `nalabo test` has nothing to test",
                help: "add challenges: with checks to a step, or ignore this for a reading-only workshop")
    }

    static func planLimit(_ what: String, limit: String, plan: Plan) -> Message {
        Message(.planLimit, "\(what) exceeds the \(plan.id) plan's limit of \(limit)", help: planHelp(plan))
    }

    static func planLimit(_ what: String, allowed: [String], plan: Plan) -> Message {
        Message(.planLimit, "\(what) is not available on the \(plan.id) plan; it allows \(choices(allowed))",
                help: planHelp(plan, fix: "choose one of those"))
    }

    private static func planHelp(_ plan: Plan, fix: String = "lower the value") -> String {
        let larger = Plan.all.drop { $0.id != plan.id }.dropFirst().map(\.id)
        return larger.isEmpty ? fix : "\(fix), or validate with --plan \(larger[0]) (`nalabo plans` lists the limits)"
    }
}
