/// The POSIX `sh` program that runs every script nalabo executes in a container (setup, checks, solutions).
///
/// The script's text arrives as arguments — never as a file in the learner's filesystem — and is fed to its
/// interpreter through a pipe (`INTERPRETER /dev/fd/3`), so a shebang line is honoured and the script's own
/// standard input stays /dev/null. Its processes carry `NALABO_RUN=<id>` in their environment. A watchdog
/// enforces the timeout inside the container (the engine never stops an exec whose client went away): at
/// the limit it prints a marker on stderr and kills every process carrying the id. For checks, leftovers
/// are swept the same way when the script ends. Out-of-memory kills during the run are detected from the
/// container's cgroup counters (v1 and v2) and reported with a second marker.
///
/// Arguments: id, timeout in seconds, sweep (1/0), the number of text chunks, the chunks, the number of
/// interpreter words, the words; anything after them is ignored (``batchProgram`` relies on that). Exit status:
/// the script's, or 124 after a timeout.
enum ScriptWrapper {
    static let program = EmbeddedScripts.sweep + "\n" + EmbeddedScripts.run

    /// The largest piece of script text passed as one argument (Linux caps one argument at 128 KiB).
    static let chunkSize = 60 * 1024

    /// The exec command line for a script.
    static func command(id: String, timeoutSeconds: Int, sweep: Bool, text: String, interpreter: [String]) -> [String] {
        ["/bin/sh", "-c", program, "nalabo-run"] + arguments(id: id, timeoutSeconds: timeoutSeconds, sweep: sweep, text: text, interpreter: interpreter)
    }

    /// The wrapper's arguments for one run.
    static func arguments(id: String, timeoutSeconds: Int, sweep: Bool, text: String, interpreter: [String]) -> [String] {
        let chunks = chunk(text)
        return [id, String(timeoutSeconds), sweep ? "1" : "0", String(chunks.count)] + chunks + [String(interpreter.count)] + interpreter
    }

    /// Runs several scripts at once in one exec (an exec costs the container far more than a script): each
    /// through ``program`` in the background, its output kept in a private temporary directory (0700, in
    /// /dev/shm or /tmp) until all have finished. Then one line per run, `nalabo:frame:INDEX:STATUS:STDOUT-TOTAL:
    /// STDOUT-KEPT:STDERR-TOTAL:STDERR-KEPT`, a line `nalabo:data`, and the kept bytes of every run's standard
    /// output and standard error in order (at most `limit` each, the wrapper's marker lines always kept). Few processes on purpose: every fork is paid from the container's CPU quota. The
    /// scripts themselves still arrive only as arguments.
    ///
    /// Arguments: the wrapper program, the byte limit, the number of runs, then per run the number of its
    /// wrapper arguments and those arguments.
    static let batchProgram = EmbeddedScripts.batch

    /// The exec command line for several runs (see ``batchProgram``).
    static func batchCommand(limit: Int, runs: [[String]]) -> [String] {
        ["/bin/sh", "-c", batchProgram, "nalabo-batch", program, String(limit), String(runs.count)]
            + runs.flatMap { [String($0.count)] + $0 }
    }

    /// One run's part of a batch's output.
    struct Frame: Equatable {
        var status: Int
        var stdout: [UInt8]
        var stdoutBytes: Int
        var stderr: [UInt8]
        var stderrBytes: Int
        var timedOut = false
        var outOfMemory = false
    }

    /// Reads the frames of a batch's standard output: the header lines, then the data they describe. Runs whose
    /// data is missing or cut off (the exec ended early) are left out, with every run after them.
    static func frames(_ output: [UInt8], limit: Int) -> [Frame] {
        var headers: [(status: Int, outTotal: Int, outKept: Int, errTotal: Int, errKept: Int, timedOut: Bool, outOfMemory: Bool)] = []
        var position = 0
        var sawData = false
        while position < output.count, let newline = output[position...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: output[position..<newline], as: UTF8.self)
            position = newline + 1
            if line == "nalabo:data" {
                sawData = true
                break
            }
            let numbers = line.split(separator: ":").dropFirst(2).map { Int($0) }
            guard line.hasPrefix("nalabo:frame:"), numbers.count == 8, numbers.allSatisfy({ ($0 ?? -1) >= 0 }),
                  numbers[0] == headers.count, let status = numbers[1], let outTotal = numbers[2], let outKept = numbers[3],
                  let errTotal = numbers[4], let errKept = numbers[5], let timedOut = numbers[6], let outOfMemory = numbers[7],
                  outKept <= limit, errKept <= limit else { return [] }
            headers.append((status, outTotal, outKept, errTotal, errKept, timedOut == 1, outOfMemory == 1))
        }
        guard sawData else { return [] }
        var frames: [Frame] = []
        for header in headers {
            let outEnd = position + header.outKept
            let errEnd = outEnd + header.errKept
            guard errEnd <= output.count else { break }
            frames.append(Frame(status: header.status, stdout: Array(output[position..<outEnd]), stdoutBytes: header.outTotal,
                                stderr: Array(output[outEnd..<errEnd]), stderrBytes: header.errTotal,
                                timedOut: header.timedOut, outOfMemory: header.outOfMemory))
            position = errEnd
        }
        return frames
    }

    /// Splits text into argument-sized pieces on Unicode scalar boundaries.
    static func chunk(_ text: String) -> [String] {
        var chunks: [String] = []
        var current = String.UnicodeScalarView()
        var size = 0
        for scalar in text.unicodeScalars {
            let width = String(scalar).utf8.count
            if size + width > chunkSize {
                chunks.append(String(current))
                current = String.UnicodeScalarView()
                size = 0
            }
            current.append(scalar)
            size += width
        }
        if !current.isEmpty || chunks.isEmpty { chunks.append(String(current)) }
        return chunks
    }

    /// The interpreter a script's shebang names, or the container's shell.
    static func interpreter(for text: String, shell: String) -> [String] {
        guard text.hasPrefix("#!") else { return [shell] }
        // Unicode scalars, not Characters: "\r\n" is a single Character and would hide the line's end.
        let line = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(2).prefix { $0 != "\n" && $0 != "\r" }))
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return words.isEmpty ? [shell] : words
    }

    /// The command that kills every process of a run, for when the watchdog itself did not answer in time.
    static func sweepCommand(id: String) -> [String] {
        ["/bin/sh", "-c", EmbeddedScripts.sweep + "\nnalabo_sweep \"$1\"", "nalabo-sweep", id]
    }
}
