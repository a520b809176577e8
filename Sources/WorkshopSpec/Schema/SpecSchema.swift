/// The spec format, version 1: every object, key and constraint, in one place.
///
/// The decoder reads specs through these definitions and `nalabo schema` prints them as JSON Schema, so
/// the two can never disagree. docs/spec.md describes the same format for people.
public enum SpecSchema {
    /// The only `apiVersion` this nalabo understands.
    public static let apiVersion = "nalabo/v1"
    /// The only `kind`.
    public static let kind = "Workshop"

    /// The most a check may take (its default is the check's `timeout` field's).
    public static let checkTimeoutMax = 120
    /// The most a setup or solve script may take.
    public static let scriptTimeoutMax = 1800

    public static let workshop = ObjectSchema(
        "workshop", "A hands-on workshop: its containers, its steps and the challenges that grade the learner.",
        fields: [
            Field("apiVersion", .oneOf([apiVersion]), required: true, "The spec format version; must be '\(apiVersion)'."),
            Field("kind", .oneOf([kind]), required: true, "Always '\(kind)'."),
            Field("metadata", .object(metadata), required: true, "What the workshop is called and what it is about."),
            Field("environment", .object(environment), required: true, "The containers a learner works in."),
            Field("limits", .object(limits), "How long a learner's session lives."),
            Field("steps", .list(of: .object(step), count: 1...Int.max), required: true, "The ordered steps of the workshop."),
        ])

    public static let metadata = ObjectSchema(
        "metadata", "What the workshop is called and what it is about.",
        fields: [
            Field("slug", .string(.dnsLabel), required: true, "The workshop's identifier in the catalogue: a lowercase DNS label."),
            Field("title", .string(.line, length: 1...120), required: true, "The title learners see."),
            Field("version", .string(.semanticVersion), required: true, "The semantic version; published versions are immutable."),
            Field("summary", .string(.prose, length: 0...500), "One or two sentences for the catalogue."),
            Field("tags", .list(of: .string(.dnsLabel), count: 0...10, unique: true), "Up to 10 lowercase labels."),
            Field("difficulty", .oneOf(Difficulty.allCases.map(\.rawValue)), "beginner, intermediate or advanced."),
            Field("duration", .duration(60...(7 * 24 * 3600)), "How long the workshop is expected to take."),
        ])

    public static let environment = ObjectSchema(
        "environment", "The containers a learner works in and the scripts that prepare them.",
        fields: [
            Field("network", .oneOf(NetworkMode.allCases.map(\.rawValue)), default: NetworkMode.isolated.rawValue,
                  "none: no network; isolated: the session's containers see each other, no egress; internet: outbound access."),
            Field("containers", .list(of: .object(container), count: 1...Int.max), required: true, "The containers of a session."),
            Field("setup", .list(of: .object(script)), "Scripts run in order once the containers are up."),
        ])

    public static let container = ObjectSchema(
        "container", "One container of a learner's session.",
        fields: [
            Field("name", .string(.dnsLabel), required: true, "The container's name, also its host name on the session network."),
            Field("image", .string(.imageReference), required: true, "The image, pinned to a tag or digest."),
            Field("shell", .string(.absolutePath), default: "/bin/sh", "The shell for `nalabo shell` and for scripts."),
            Field("workdir", .string(.absolutePath), "The working directory."),
            Field("user", .string(.user), "The user the learner works as."),
            Field("env", .dictionary(keys: .environmentName, values: .string(.text, length: 0...Int.max)), "Environment variables."),
            Field("ports", .list(of: .integer(1...65535), unique: true), "Ports published on 127.0.0.1."),
            Field("resources", .object(resources), "Limits; the defaults are the free plan's maxima."),
            Field("capabilities", .list(of: .oneOf(Capability.grantable), unique: true),
                  "Capabilities added for the container's root processes, such as SYS_CHROOT for sshd or AUDIT_WRITE for sudo."),
            Field("secrets", .list(of: .string(.environmentName), unique: true),
                  "Environment variables whose values are given when the session starts (NALABO_SECRET_NAME or --secrets FILE), never written in the spec."),
            Field("files", .list(of: .object(containerFile)), "Files copied into the container when it starts, before the environment's setup."),
        ])

    public static let resources = ObjectSchema(
        "resources", "Resource limits of one container.",
        fields: [
            Field("cpus", .number(above: 0), default: Plan.free.maxCPUs.formatted, "CPU cores, fractions allowed."),
            Field("memory", .memory(atLeast: 6 << 20), default: Plan.free.maxMemory.description, "Memory, swap included."),
            Field("pids", .integer(8...Int(Int32.max)), default: String(Plan.free.maxPIDs), "The most processes at once."),
            Field("disk", .memory(atLeast: 16 << 20), default: Plan.free.maxDisk.description,
                  "The most the container may write to its own filesystem."),
        ])

    public static let limits = ObjectSchema(
        "limits", "Limits of a learner's session.",
        fields: [
            Field("session", .duration(60...(7 * 24 * 3600)), default: "1h", "How long a learner's session lives."),
        ])

    public static let step = ObjectSchema(
        "step", "One step of the workshop: instructions and the challenges that grade them.",
        fields: [
            Field("id", .string(.dnsLabel), required: true, "Unique among steps."),
            Field("title", .string(.line, length: 1...120), required: true, "The step's title."),
            Field("content", .string(.text), "The instructions, in Markdown."),
            Field("content_file", .string(.relativePath), "A Markdown file with the instructions."),
            Field("setup", .object(script), "A script run when the learner enters the step, before its challenges start."),
            Field("files", .list(of: .object(file)), "Files copied when the learner enters the step, before its setup."),
            Field("challenges", .list(of: .object(challenge)), "Challenges graded in this step."),
        ],
        exactlyOne: [["content", "content_file"]])

    public static let challenge = ObjectSchema(
        "challenge", "A task the learner completes; its checks grade it.",
        fields: [
            Field("id", .string(.dnsLabel), required: true, "Unique across the whole workshop."),
            Field("title", .string(.line, length: 1...120), required: true, "The challenge's title."),
            Field("content", .string(.text), "Extra instructions, in Markdown."),
            Field("content_file", .string(.relativePath), "A Markdown file with extra instructions."),
            Field("hints", .list(of: .string(.text)), "Shown one more per failed attempt."),
            Field("needs", .list(of: .string(.dnsLabel), unique: true), "Challenges that must be complete first."),
            Field("setup", .object(script), "A script run when the challenge starts: its step is reached and its needs are complete."),
            Field("files", .list(of: .object(file)), "Files copied when the challenge starts, before its setup."),
            Field("checks", .list(of: .object(check), count: 1...Int.max), required: true, "All must pass to complete the challenge."),
            Field("solve", .object(script), "The reference solution, used by `nalabo test` and `nalabo solve`."),
            Field("cleanup", .object(script), "A script run once the challenge is complete (passed or solved)."),
        ],
        atMostOne: [["content", "content_file"]])

    static let scriptFields = [
        Field("container", .string(.dnsLabel), "The container to run in; required when the workshop has more than one."),
        Field("run", .string(.text), "The script's text, run by the container's shell."),
        Field("script", .string(.relativePath), "A file holding the script."),
        Field("user", .string(.user), "The user to run as."),
        Field("workdir", .string(.absolutePath), "The working directory."),
        Field("env", .dictionary(keys: .environmentName, values: .string(.text, length: 0...Int.max)), "Extra environment variables."),
    ]

    public static let script = ObjectSchema(
        "script", "A script run in one of the session's containers.",
        fields: scriptFields + [
            Field("timeout", .duration(1...scriptTimeoutMax), default: "5m", "How long the script may run."),
        ],
        exactlyOne: [["run", "script"]])

    public static let check = ObjectSchema(
        "check", "A script whose result grades a challenge.",
        fields: [Field("name", .string(.dnsLabel), default: "check-N", "Unique within the challenge.")] + scriptFields + [
            Field("timeout", .duration(1...checkTimeoutMax), default: "30s", "How long the check may run; at most 2m."),
            Field("points", .integer(0...1000), default: "1", "Points for passing; partial credit sums passing checks."),
            Field("expect", .object(expectation), default: "{exit: 0}", "What a passing run looks like."),
            Field("fail_message", .string(.text), "Shown to the learner when the check fails."),
            Field("show_output", .boolean, default: "true",
                  "Whether a failing check shows the learner the end of its output; false keeps it hidden (text, JSON, portal)."),
        ],
        exactlyOne: [["run", "script"]])

    public static let expectation = ObjectSchema(
        "expectation", "What a passing check run looks like; every given condition must hold.",
        fields: [
            Field("exit", .integer(0...255), default: "0", "The exit status."),
            Field("stdout", .string(.text, length: 0...Int.max), "The exact standard output, ignoring one trailing newline."),
            Field("stdout_contains", .string(.text), "Text the standard output contains."),
            Field("stdout_matches", .string(.regularExpression), "A regular expression the standard output matches."),
        ])

    static let fileFields = [
        Field("source", .string(.relativePath), "A file of the workshop to copy; binary files are allowed."),
        Field("content", .string(.text, length: 0...Int.max), "The file's text, written inline."),
        Field("target", .string(.absolutePath), required: true,
              "Where it goes: the file's path, or with extract the directory to unpack into (created if missing)."),
        Field("mode", .string(.fileMode), default: FileMode.text(FileCopy.defaultMode),
              "The written file's permission bits, in octal; not with extract (an archive's entries keep their own)."),
        Field("owner", .string(.numericOwner), default: "0:0",
              "The numeric UID[:GID] owning the written file; with extract, an owner other than root is given to the target and everything unpacked into it."),
        Field("extract", .boolean, default: "false", "Whether the source is a tar archive (plain, gzip, bzip2 or xz) to unpack into target."),
    ]

    public static let containerFile = ObjectSchema(
        "containerFile", "A file copied into its container when the container starts.",
        fields: fileFields, exactlyOne: [["source", "content"]])

    public static let file = ObjectSchema(
        "file", "A file copied into one of the session's containers.",
        fields: [Field("container", .string(.dnsLabel), "The container it goes into; required when the workshop has more than one.")] + fileFields,
        exactlyOne: [["source", "content"]])

    /// Every object of the format, for the JSON Schema's `$defs`.
    public static let objects: [ObjectSchema] = [
        workshop, metadata, environment, container, resources, limits, step, challenge, script, check, expectation, containerFile, file,
    ]
}
