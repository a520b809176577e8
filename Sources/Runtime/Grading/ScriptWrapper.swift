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
    static let program = #"""
    id=$1 limit=$2 sweep=$3 chunks=$4
    shift 4
    script=
    while [ "$chunks" -gt 0 ]; do script=$script$1; shift; chunks=$((chunks - 1)); done
    words=$1
    shift
    # Keep exactly the interpreter's words: `set -- "${1}" "${2}"...`, naming the parameters, never their text.
    list= j=1
    while [ $j -le "$words" ]; do list="$list \"\${$j}\""; j=$((j + 1)); done
    eval "set -- $list"
    nalabo_sweep() {
      # Stop, then kill, every process whose environment carries the id; repeated, because a fork bomb keeps
      # making more (and a failed fork, at the PID limit, just means trying again).
      passes=0 failures=0
      while [ $passes -lt 100 ]; do
        passes=$((passes + 1))
        found=$(grep -l "NALABO_RUN=$id" /proc/[0-9]*/environ 2>/dev/null)
        searched=$?
        # Done when grep ran and found nothing (status 1). Other failures (at the PID limit it may not even start;
        # as a non-root user some environ files are unreadable) are retried a few times.
        if [ -z "$found" ]; then
          [ $searched -eq 1 ] && return 0
          failures=$((failures + 1))
          [ $failures -ge 5 ] && return 0
          continue
        fi
        for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null; done
        for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
      done
    }
    # Sets $oom_kills from the cgroup's counter; builtins only, no subshell (every fork costs the container).
    nalabo_ooms() {
      oom_kills=0
      for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
        [ -r "$f" ] || continue
        while read -r key value; do [ "$key" = oom_kill ] && { oom_kills=$value; return; }; done < "$f"
      done
    }
    # Markers go last on stderr, or to fd 9 when the batch opened it (its files are size-capped).
    marks=2
    { true >&9; } 2>/dev/null && marks=9
    nalabo_run() { printf '%s' "$script" | NALABO_RUN=$id "$@" /dev/fd/3 3<&0 </dev/null 9>&-; }
    nalabo_ooms
    ooms=$oom_kills
    nalabo_run "$@" &
    child=$!
    (
      # $! rather than a variable: a TERM between starting the timer and storing its pid still finds it. The
      # timer holds none of the exec's output streams, so a stray one could never keep the exec open.
      trap 'kill $! 2>/dev/null; exit 0' TERM
      sleep "$limit" </dev/null >/dev/null 2>&1 &
      wait $!
      # The limit passed: nothing may cut the sweep short now, not even the script ending meanwhile.
      trap '' TERM
      nalabo_sweep
      exit 3
    ) &
    watchdog=$!
    # The shell's own job notices ("Killed") are not the script's output.
    wait $child 2>/dev/null
    status=$?
    kill $watchdog 2>/dev/null
    # A watchdog killed before it set its trap makes the shell say "Terminated": not the script's output either.
    wait $watchdog 2>/dev/null
    watched=$?
    [ "$sweep" = 1 ] && nalabo_sweep
    nalabo_ooms
    [ "$oom_kills" != "$ooms" ] && echo "nalabo:oom:$id" >&$marks
    [ "$watched" = 3 ] && { echo "nalabo:timeout:$id" >&$marks; exit 124; }
    exit $status
    """#

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
    static let batchProgram = #"""
    single=$1 limit=$2 count=$3
    shift 3
    dir=$(mktemp -d /dev/shm/nalabo-XXXXXX 2>/dev/null) || dir=$(mktemp -d /tmp/nalabo-XXXXXX) || {
      echo "nalabo: cannot create a temporary directory" >&2; exit 125; }
    chmod 700 "$dir"
    trap 'rm -rf "$dir"' EXIT
    i=0
    while [ $i -lt "$count" ]; do
      n=$1
      shift
      # Files are capped (ulimit -f, with SIGXFSZ ignored writes past it fail) so a flood of output cannot fill
      # the container's memory or disk; the wrapper's markers go to a file of their own.
      (trap '' XFSZ; ulimit -f $(((limit * 2 + 1023) / 512)); exec /bin/sh -c "$single" nalabo-run "$@") \
        >"$dir/$i.out" 2>"$dir/$i.err" 9>"$dir/$i.marks" </dev/null &
      eval "pid_$i=\$!"
      shift "$n"
      i=$((i + 1))
    done
    i=0
    while [ $i -lt "$count" ]; do
      eval "wait \$pid_$i" 2>/dev/null
      eval "status_$i=\$?"
      i=$((i + 1))
    done
    # Every size at once ("SIZE NAME" lines), read with builtins only.
    set -- $(cd "$dir" && wc -c -- *.out *.err)
    while [ $# -ge 2 ]; do
      case $2 in *.out|*.err) name=${2%.*}_${2##*.}; eval "size_$name=$1" ;; esac
      shift 2
    done
    set --
    i=0
    while [ $i -lt "$count" ]; do
      for stream in out err; do
        eval "size=\$size_${i}_$stream"
        if [ "$size" -gt "$limit" ]; then
          # Cut to the limit; the run is described by what is kept and the size it reached.
          head -c "$limit" "$dir/$i.$stream" >"$dir/cut"
          mv "$dir/cut" "$dir/$i.$stream"
          kept=$(wc -c <"$dir/$i.$stream")
          eval "kept_${i}_$stream=\$kept"
        else
          eval "kept_${i}_$stream=\$size"
        fi
      done
      timedout=0 oom=0
      while read -r mark; do
        case $mark in nalabo:timeout:*) timedout=1 ;; nalabo:oom:*) oom=1 ;; esac
      done <"$dir/$i.marks"
      eval "printf 'nalabo:frame:%s:%s:%s:%s:%s:%s:%s:%s\\n' $i \$status_$i \$size_${i}_out \$kept_${i}_out \$size_${i}_err \$kept_${i}_err $timedout $oom"
      set -- "$@" "$dir/$i.out" "$dir/$i.err"
      i=$((i + 1))
    done
    echo nalabo:data
    cat -- "$@"
    """#

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
