#!/usr/bin/env python3
"""Timing and reporting half of Benchmarks/validate/run (which prepares the corpora and tools).

    bench.py --work DIR --yaml-scan BIN --schema FILE [--nalabo BIN] [--runs 3] [--budget 25]

Every number is the wall time of one whole process (start-up included), best of up to --runs runs;
a tool stops repeating once another run would take its total past --budget seconds, so the slow
Python baselines run once or twice on corpus A and the whole benchmark stays within ~3 minutes.
MB is 10^6 bytes throughout.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

TARGETS = {
    "floor": 0.5,        # nalabo MB/s >= 0.5 x libyaml's bare event scan, on corpus A
    "yamllint": 20.0,    # nalabo MB/s >= 20 x yamllint
    "one_file_ms": 25.0,
    "rss_mb": 40.0,
}


def wall(cmd, ok_codes=(0,), stdout=subprocess.DEVNULL, **kw):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, **kw)
    dt = time.perf_counter() - t0
    if p.returncode not in ok_codes:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {' | '.join(err[-3:])}")
    return dt, p


def best_of(cmd, runs, budget, ok_codes=(0,)):
    times = []
    while len(times) < runs:
        dt, _ = wall(cmd, ok_codes)
        times.append(dt)
        if sum(times) + dt > budget:
            break
    return min(times), len(times)


def other_cpu(seconds=1.0):
    """Cores kept busy by other processes, sampled from /proc/stat while this one sleeps."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except OSError:
        return 0.0
    return (1 - (i1 - i0) / max(1, t1 - t0)) * (os.cpu_count() or 1)


# --------------------------------------------------------------------------------------------------
# nalabo: how it takes many workshops, and what it said about them


def walk_json(node, found):
    if isinstance(node, dict):
        if "severity" in node:
            found.append(node)
        for v in node.values():
            walk_json(v, found)
    elif isinstance(node, list):
        for v in node:
            walk_json(v, found)


def diagnostics(text):
    """Diagnostics (dicts with a "severity") in nalabo's JSON output: one document or JSON lines."""
    found = []
    try:
        walk_json(json.loads(text), found)
        return found, True
    except ValueError:
        pass
    parsed = False
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                walk_json(json.loads(line), found)
                parsed = True
            except ValueError:
                pass
    return found, parsed


def files_checked(text):
    """The file count of the JSON report's summary, when it has one."""
    try:
        summary = json.loads(text).get("summary", {})
        return int(summary["files"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return None


def describe(diags):
    counts = {}
    for d in diags:
        counts[str(d.get("severity"))] = counts.get(str(d.get("severity")), 0) + 1
    return ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in sorted(counts.items())) or "no diagnostics"


def message_of(d):
    rule = d.get("rule") or d.get("id") or d.get("code") or ""
    return f"[{rule}] {d.get('message', d)}" if rule else str(d.get("message", d))


def nalabo_mode(nalabo, work, sample_spec):
    """How to hand nalabo a whole corpus in one process: the corpus root (recursive), one argument
    per workshop directory, or failing both one process per workshop. Decided on a probe corpus of
    two workshops that each carry an unknown key, so both must be named in the output."""
    probe = os.path.join(work, "probe")
    names = ["probe-one-ws", "probe-two-ws"]
    with open(sample_spec, encoding="utf-8") as f:
        text = f.read()
    for n in names:
        os.makedirs(os.path.join(probe, n), exist_ok=True)
        with open(os.path.join(probe, n, "workshop.yaml"), "w", encoding="utf-8") as f:
            f.write(text.replace("\nkind: Workshop\n", "\nkind: Workshop\nbenchmark_probe_key: 1\n", 1))

    def names_all(cmd):
        p = subprocess.run(cmd, capture_output=True)
        out = (p.stdout + p.stderr).decode(errors="replace")
        return p.returncode != 0 and all(n in out for n in names)

    if names_all([nalabo, "validate", probe, "--format", "json"]):
        return "root"
    if names_all([nalabo, "validate"] + [os.path.join(probe, n) for n in names] + ["--format", "json"]):
        return "args"
    return "per-file"


def nalabo_cmd(nalabo, mode, corpus_dir, bash_loop_file):
    dirs = sorted(os.path.join(corpus_dir, d) for d in os.listdir(corpus_dir))
    if mode == "root":
        return [nalabo, "validate", corpus_dir, "--format", "json"], (0, 1)
    if mode == "args" or len(dirs) == 1:
        return [nalabo, "validate"] + dirs + ["--format", "json"], (0, 1)
    with open(bash_loop_file, "w") as f:
        f.write('n="$1"; shift; for d in "$@"; do "$n" validate "$d" --format json; done; true\n')
    return ["bash", bash_loop_file, nalabo] + dirs, (0,)


# --------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--yaml-scan", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--schema-note", default="")
    ap.add_argument("--nalabo", default="")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=25.0)
    ap.add_argument("--one-file-runs", type=int, default=20)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()

    with open(os.path.join(args.work, "corpus", "manifest.json")) as f:
        manifest = json.load(f)
    corpora = {
        "A": (os.path.join(args.work, "corpus", "a"), manifest["a_files"], manifest["a_bytes"]),
        "B": (os.path.join(args.work, "corpus", "b"), manifest["b_files"], manifest["b_bytes"]),
    }
    # The ~5 KB spec for one-file timings: the one of corpus A closest to 5 KiB.
    one = min(manifest["a"], key=lambda e: abs(e["bytes"] - 5120))
    one_dir = os.path.dirname(one["path"])
    big_dir = os.path.dirname(manifest["b"][0]["path"])

    py = sys.executable
    notes = []
    rows = []      # (tool, corpus, files, bytes, seconds, runs)
    results = {}   # (tool, corpus) -> MB/s

    def record(tool, corpus, seconds, runs):
        _, files, nbytes = corpora[corpus]
        rows.append((tool, corpus, files, nbytes, seconds, runs))
        results[(tool, corpus)] = nbytes / seconds / 1e6
        print(f"  {tool:<22} {corpus}  {seconds:8.3f} s  ({runs} run{'s' if runs > 1 else ''})",
              file=sys.stderr, flush=True)

    busy = other_cpu()
    print(f"measuring ({busy:.2f} of {os.cpu_count()} cores busy with other work) ...", file=sys.stderr, flush=True)
    if busy > 0.3:
        notes.append(f"{busy:.2f} of the {os.cpu_count()} cores were busy with other processes at the start "
                     f"(a build?): the numbers are pessimistic")

    nalabo = args.nalabo if args.nalabo and os.access(args.nalabo, os.X_OK) else ""
    mode = None
    if nalabo:
        mode = nalabo_mode(nalabo, args.work, one["path"])
        if mode == "per-file":
            notes.append("nalabo validate took neither a corpus root nor several directories: corpus A "
                         "was timed as one nalabo process per workshop")
        if "/debug/" in os.path.realpath(nalabo):
            notes.append("nalabo is a debug build: its numbers are indicative only")

    yamllint = [py, "-m", "yamllint", "-c", os.path.join(HERE, "yamllint.yaml"), "-f", "parsable"]
    baseline = [py, os.path.join(HERE, "pyyaml_jsonschema.py"), args.schema]

    for corpus, (cdir, files, nbytes) in corpora.items():
        # floor
        dt, p = wall([args.yaml_scan, cdir], stdout=subprocess.PIPE)
        m = re.search(r"files=(\d+) bytes=(\d+)", p.stdout.decode())
        if not m or int(m.group(1)) != files or int(m.group(2)) != nbytes:
            raise RuntimeError(f"yaml_scan saw {p.stdout.decode().strip()} in corpus {corpus}, "
                               f"expected files={files} bytes={nbytes}")
        record("floor (libyaml events)", corpus, *best_of([args.yaml_scan, cdir], args.runs, args.budget))

        if nalabo:
            cmd, ok = nalabo_cmd(nalabo, mode, cdir, os.path.join(args.work, "loop.sh"))
            # Warm-up run, its output kept to check that nalabo said what it should.
            p = subprocess.run(cmd, capture_output=True)
            out = p.stdout.decode(errors="replace")
            diags, parsed = diagnostics(out)
            errors = [d for d in diags if str(d.get("severity")).lower() == "error"]
            summary = f"nalabo on corpus {corpus}: exit {p.returncode}, {describe(diags)}"
            seen = files_checked(out)
            if seen is not None and seen != files:
                summary += f"; WARNING: it checked {seen} files, not {files}"
            rules = sorted({str(d.get("rule")) for d in diags if d.get("rule")})
            if rules:
                summary += f" ({', '.join(rules[:5])})"
            if not parsed and ok != (0,):
                summary += " (output was not JSON)"
            if p.returncode not in (0, 1) or (corpus == "A" and (errors or p.returncode != 0)):
                notes.append(summary + ("; first: " + "; ".join(message_of(d) for d in errors[:3])
                                        if errors else "; stderr: " + p.stderr.decode(errors="replace").strip()[-300:]))
            else:
                notes.append(summary)
            record("nalabo validate", corpus, *best_of(cmd, args.runs, args.budget, ok_codes=ok))

        record("yamllint", corpus, *best_of(yamllint + [cdir], args.runs, args.budget, ok_codes=(0, 1, 2)))
        record("pyyaml+jsonschema", corpus, *best_of(baseline + [cdir], args.runs, args.budget))

    extra = {}
    if nalabo:
        cmd = [nalabo, "validate", one_dir, "--format", "json"]
        for _ in range(2):
            wall(cmd, ok_codes=(0, 1))
        times = [wall(cmd, ok_codes=(0, 1))[0] for _ in range(args.one_file_runs)]
        extra["one_ms"] = statistics.median(times) * 1000
        scan = [statistics.median([wall([args.yaml_scan, one["path"]])[0] for _ in range(args.one_file_runs)])]
        extra["one_floor_ms"] = scan[0] * 1000

        gnu_time = shutil.which("time", path="/usr/bin") or "/usr/bin/time"
        rss = []
        for _ in range(3):
            p = subprocess.run([gnu_time, "-v", nalabo, "validate", big_dir, "--format", "json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr.decode(errors="replace"))
            if m:
                rss.append(int(m.group(1)) * 1024 / 1e6)
        if rss:
            extra["rss_mb"] = max(rss)
        p = subprocess.run([gnu_time, "-v", args.yaml_scan, big_dir], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr.decode(errors="replace"))
        if m:
            extra["rss_floor_mb"] = int(m.group(1)) * 1024 / 1e6

    # ----------------------------------------------------------------------------------------------
    a, b = corpora["A"], corpora["B"]
    print()
    print(f"nalabo validate benchmark — corpus A: {a[1]} specs, {a[2] / 1e6:.2f} MB "
          f"(mean {a[2] / a[1] / 1000:.1f} KB); corpus B: {b[1]} spec, {b[2] / 1e6:.2f} MB")
    print(f"nalabo: {args.nalabo or '(none)'}" + (f"  [corpus passed as: {mode}]" if mode else
                                                  "  [not available: its rows are skipped]"))
    print(f"schema for pyyaml+jsonschema: {args.schema_note or args.schema}")
    print()
    print(f"{'tool':<24}{'corpus':>6}{'files':>7}{'bytes':>10}{'seconds':>10}{'MB/s':>9}{'runs':>6}")
    print("-" * 72)
    for tool, corpus, files, nbytes, seconds, runs in rows:
        print(f"{tool:<24}{corpus:>6}{files:>7}{nbytes:>10}{seconds:>10.3f}"
              f"{nbytes / seconds / 1e6:>9.2f}{runs:>6}")
    print()

    missed = []

    def verdict(ok, label):
        if not ok:
            missed.append(label)
        return "PASS" if ok else "MISS"

    print(f"{'ratio (MB/s of nalabo / MB/s of baseline)':<44}{'A':>9}{'B':>9}   target")
    print("-" * 72)
    if nalabo:
        for base, label, target in (("floor (libyaml events)", "nalabo vs floor", TARGETS["floor"]),
                                    ("yamllint", "nalabo vs yamllint", TARGETS["yamllint"]),
                                    ("pyyaml+jsonschema", "nalabo vs pyyaml+jsonschema", None)):
            ra = results[("nalabo validate", "A")] / results[(base, "A")]
            rb = results[("nalabo validate", "B")] / results[(base, "B")]
            if target is None:
                tail = "(none)"
            elif base == "floor (libyaml events)":
                # The floor's target is the 1,000-file corpus's (issue #10 §7). Corpus B is one file: one core,
                # and start-up (about the one-file wall below) is most of nalabo's time there, so it is reported.
                tail = f">= {target:g}x  A {verdict(ra >= target, label + ' (A)')}  B reported"
            else:
                tail = (f">= {target:g}x  A {verdict(ra >= target, label + ' (A)')}"
                        f"  B {verdict(rb >= target, label + ' (B)')}")
            print(f"{label:<44}{ra:>8.2f}x{rb:>8.2f}x   {tail}")
        print()
        print(f"{'one-file validate wall, median of ' + str(args.one_file_runs):<44}"
              f"{extra['one_ms']:>8.1f} ms"
              f"{'':>7}< {TARGETS['one_file_ms']:g} ms  {verdict(extra['one_ms'] < TARGETS['one_file_ms'], 'one-file wall')}"
              f"   ({one['bytes']} B spec; floor {extra['one_floor_ms']:.1f} ms)")
        if "rss_mb" in extra:
            print(f"{'peak RSS, 1 MiB spec (max of 3)':<44}{extra['rss_mb']:>8.1f} MB"
                  f"{'':>7}< {TARGETS['rss_mb']:g} MB  {verdict(extra['rss_mb'] < TARGETS['rss_mb'], 'peak RSS')}"
                  f"   (floor {extra.get('rss_floor_mb', float('nan')):.1f} MB)")
        else:
            notes.append("peak RSS not measured: /usr/bin/time -v printed no maximum resident set size")
    else:
        print("(nalabo not available: no ratios)")
        for base in ("floor (libyaml events)", "yamllint", "pyyaml+jsonschema"):
            print(f"  {base:<24} A {results[(base, 'A')]:.2f} MB/s   B {results[(base, 'B')]:.2f} MB/s")
    if notes:
        print()
        for n in notes:
            print(f"note: {n}")
    if nalabo:
        print()
        print("all targets met" if not missed else "missed: " + ", ".join(missed))
    return 1 if (args.strict and (missed or not nalabo)) else 0


if __name__ == "__main__":
    sys.exit(main())
