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
/// Arguments: id, timeout in seconds, sweep (1/0), the number of text chunks, the chunks, the interpreter
/// and its arguments. Exit status: the script's, or 124 after a timeout.
enum ScriptWrapper {
    static let program = #"""
    id=$1 limit=$2 sweep=$3 chunks=$4
    shift 4
    script=
    while [ "$chunks" -gt 0 ]; do script=$script$1; shift; chunks=$((chunks - 1)); done
    nalabo_sweep() {
      # Stop, then kill, every process whose environment carries the id; repeated, because a fork bomb keeps
      # making more (and a failed fork, at the PID limit, just means trying again).
      passes=0
      while [ $passes -lt 100 ]; do
        passes=$((passes + 1))
        found=$(grep -l "NALABO_RUN=$id" /proc/[0-9]*/environ 2>/dev/null)
        [ -n "$found" ] || return 0
        for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null; done
        for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
      done
    }
    nalabo_ooms() {
      for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
        [ -r "$f" ] || continue
        while read -r key value; do [ "$key" = oom_kill ] && { echo "$value"; return; }; done < "$f"
      done
      echo 0
    }
    nalabo_run() { printf '%s' "$script" | NALABO_RUN=$id "$@" /dev/fd/3 3<&0 </dev/null; }
    ooms=$(nalabo_ooms)
    nalabo_run "$@" &
    child=$!
    (
      # $! rather than a variable: a TERM between starting the timer and storing its pid still finds it. The
      # timer holds none of the exec's output streams, so a stray one could never keep the exec open.
      trap 'kill $! 2>/dev/null; exit 0' TERM
      sleep "$limit" </dev/null >/dev/null 2>&1 &
      wait $!
      echo "nalabo:timeout:$id" >&2
      nalabo_sweep
      exit 3
    ) &
    watchdog=$!
    # The shell's own job notices ("Killed") are not the script's output.
    wait $child 2>/dev/null
    status=$?
    kill $watchdog 2>/dev/null
    wait $watchdog
    watched=$?
    [ "$sweep" = 1 ] && nalabo_sweep
    [ "$(nalabo_ooms)" != "$ooms" ] && echo "nalabo:oom:$id" >&2
    [ "$watched" = 3 ] && exit 124
    exit $status
    """#

    /// The largest piece of script text passed as one argument (Linux caps one argument at 128 KiB).
    static let chunkSize = 60 * 1024

    /// The exec command line for a script.
    static func command(id: String, timeoutSeconds: Int, sweep: Bool, text: String, interpreter: [String]) -> [String] {
        let chunks = chunk(text)
        return ["/bin/sh", "-c", program, "nalabo-run", id, String(timeoutSeconds), sweep ? "1" : "0", String(chunks.count)]
            + chunks + interpreter
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
        ["/bin/sh", "-c", #"""
        for pass in 1 2 3 4 5 6 7 8 9 10; do
          found=$(grep -l "NALABO_RUN=$1" /proc/[0-9]*/environ 2>/dev/null)
          [ -n "$found" ] || break
          for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null; done
          for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
        done
        """#, "nalabo-sweep", id]
    }
}
