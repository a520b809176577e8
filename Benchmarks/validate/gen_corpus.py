#!/usr/bin/env python3
"""Deterministic generator of workshop-spec corpora for the `nalabo validate` benchmark.

    gen_corpus.py OUT_DIR [--count 1000] [--big-bytes 1048576] [--seed 20240501]

writes
    OUT_DIR/a/<nnnn>-<slug>/workshop.yaml   corpus A: COUNT realistic specs of about 5 KB each,
                                            within the free plan (they validate cleanly)
    OUT_DIR/b/<slug>/workshop.yaml          corpus B: one spec of at most BIG_BYTES bytes (as close as
                                            whole steps allow), with far more steps and challenges
                                            than the free plan allows
    OUT_DIR/manifest.json                   file lists and byte counts

The output depends only on the arguments (a seeded random.Random, no clock, no environment), so two
runs produce byte-identical corpora. Only the keys of the workshop spec format are used: an unknown
key is an error for nalabo, and corpus A must be free of errors.
"""

import argparse
import json
import os
import random
import sys

# --------------------------------------------------------------------------------------------------
# Vocabulary: a few topics, each with commands, files and words that make the Markdown read like a
# real lesson rather than lorem ipsum (realistic token lengths, code fences, lists, tables, links).

TOPICS = [
    {
        "name": "linux", "title": "Linux", "tags": ["linux", "shell"],
        "image": "debian:bookworm-slim", "shell": "/bin/bash", "workdir": "/root",
        "nouns": ["directory", "file", "permission", "process", "pipe", "symlink", "mount point",
                  "environment variable", "user", "group", "signal", "log file"],
        "commands": ["ls -la", "cd /srv/data", "mkdir -p ~/projects", "cp notes.txt backup/",
                     "chmod 640 secret.txt", "ps aux | grep nginx", "find / -name '*.conf'",
                     "tail -n 20 /var/log/syslog", "du -sh /srv/*", "ln -s /srv/data data",
                     "grep -rn TODO src/", "wc -l access.log"],
        "paths": ["/root/projects", "/srv/data", "/etc/motd", "/root/backup", "/tmp/scratch",
                  "/root/notes.txt", "/var/log/app.log"],
    },
    {
        "name": "git", "title": "Git", "tags": ["git", "version-control"],
        "image": "debian:bookworm-slim", "shell": "/bin/bash", "workdir": "/root/repo",
        "nouns": ["commit", "branch", "remote", "merge", "rebase", "tag", "stash", "index",
                  "working tree", "conflict", "hook", "reflog"],
        "commands": ["git status", "git add -p", "git commit -m 'Add parser'", "git switch -c feature",
                     "git log --oneline --graph", "git merge feature", "git rebase -i HEAD~3",
                     "git stash push -m wip", "git tag -a v1.0.0 -m 'First release'",
                     "git diff --staged", "git restore --staged README.md", "git reflog"],
        "paths": ["/root/repo", "/root/repo/.git", "/root/repo/README.md", "/root/repo/src/main.c",
                  "/root/repo/.gitignore"],
    },
    {
        "name": "python", "title": "Python", "tags": ["python", "programming"],
        "image": "python:3.12-slim", "shell": "/bin/bash", "workdir": "/app",
        "nouns": ["virtual environment", "package", "module", "function", "list comprehension",
                  "dictionary", "exception", "generator", "test", "decorator", "type hint"],
        "commands": ["python3 -m venv .venv", ". .venv/bin/activate", "pip install requests",
                     "python3 -m pytest -q", "python3 app.py --port 8080", "python3 -m http.server",
                     "pip freeze > requirements.txt", "python3 -c 'import sys; print(sys.version)'"],
        "paths": ["/app", "/app/app.py", "/app/.venv", "/app/requirements.txt", "/app/tests",
                  "/app/tests/test_app.py"],
    },
    {
        "name": "networking", "title": "Networking", "tags": ["networking", "linux"],
        "image": "ubuntu:24.04", "shell": "/bin/bash", "workdir": "/root",
        "nouns": ["interface", "route", "socket", "port", "firewall rule", "DNS record",
                  "TCP handshake", "packet", "namespace", "bridge"],
        "commands": ["ip addr show", "ip route", "ss -tlnp", "curl -sI http://localhost:8080",
                     "dig +short example.test", "nc -l 9000", "iptables -L -n",
                     "ip netns add lab", "ping -c 3 10.0.0.2", "tcpdump -i lo -c 5"],
        "paths": ["/etc/hosts", "/etc/resolv.conf", "/root/capture.pcap", "/etc/nftables.conf",
                  "/root/ports.txt"],
    },
    {
        "name": "sql", "title": "SQL", "tags": ["sql", "databases"],
        "image": "postgres:16-alpine", "shell": "/bin/sh", "workdir": "/var/lib/postgresql",
        "nouns": ["table", "index", "transaction", "join", "view", "constraint", "query plan",
                  "schema", "role", "sequence"],
        "commands": ["psql -U postgres -c '\\dt'", "createdb shop", "psql shop -f schema.sql",
                     "psql shop -c 'EXPLAIN ANALYZE SELECT * FROM orders'",
                     "pg_dump shop > shop.sql", "psql shop -c 'CREATE INDEX ON orders (customer_id)'"],
        "paths": ["/var/lib/postgresql/schema.sql", "/var/lib/postgresql/shop.sql",
                  "/docker-entrypoint-initdb.d/seed.sql"],
    },
    {
        "name": "containers", "title": "Containers", "tags": ["containers", "docker"],
        "image": "alpine:3.20", "shell": "/bin/sh", "workdir": "/root",
        "nouns": ["image", "layer", "container", "volume", "cgroup", "namespace", "registry",
                  "entrypoint", "healthcheck", "overlay filesystem"],
        "commands": ["cat /proc/self/cgroup", "ls /sys/fs/cgroup", "unshare --pid --fork sh",
                     "mount -t tmpfs none /mnt", "cat /proc/1/status", "chroot /srv/rootfs /bin/sh",
                     "nsenter -t 1 -m -p ps"],
        "paths": ["/srv/rootfs", "/mnt", "/root/Containerfile", "/root/layers.txt"],
    },
]

VERBS = ["create", "inspect", "list", "remove", "rename", "compare", "configure", "restore",
         "monitor", "debug", "secure", "automate", "clean up", "measure", "explore"]
ADJECTIVES = ["hidden", "temporary", "shared", "broken", "recursive", "read-only", "default",
              "nested", "large", "stale", "missing", "duplicate"]
OPENERS = [
    "In this step you will {verb} a {adj} {noun} and see what changes on disk.",
    "Every {noun} has a story; here we {verb} one and read the output carefully.",
    "Before we go further, take a moment to {verb} the {adj} {noun} left by the setup script.",
    "A common mistake is to forget the {noun}. Let us {verb} it properly this time.",
    "You already know how to work with a {noun}. Now {verb} a {adj} one without looking at the hints.",
    "The environment comes with a {adj} {noun}; your job is to {verb} it.",
]
SENTENCES = [
    "Run the command below and compare its output with the table that follows.",
    "If the output looks different, check that you are in the right directory first.",
    "Nothing here can break your machine: the workshop runs in an isolated container.",
    "The checks only look at the final state, so take as many attempts as you need.",
    "Notice how the {noun} is reported: the first column is the one that matters.",
    "Most tools print nothing when they succeed, which is why we verify with a second command.",
    "Keep the terminal open; the next challenge builds on what you create here.",
    "When in doubt, read the manual page with `man` or the `--help` flag.",
    "A {adj} {noun} is harmless in a lab, but in production it usually means trouble.",
    "Try to predict the result before pressing Enter, then check whether you were right.",
]
HINT_TEMPLATES = [
    "Try `{cmd}`.",
    "Look at {path} first.",
    "The {noun} must exist before the check runs.",
    "Remember the `-p` flag if a parent directory is missing.",
    "Check your spelling of {path}.",
    "Use `{cmd}` and read the output line by line.",
    "You can always reset the step from the menu.",
]
FAIL_MESSAGES = [
    "The {noun} is not there yet.",
    "{path} does not look right.",
    "The command exited with an error; run it again and read the message.",
    "Almost: the {noun} exists but its content is not what we expect.",
    "Nothing found at {path} yet.",
]
A_SIZE = (4400, 5800)  # corpus A: bytes per spec, drawn uniformly
MD_MARK = object()
DIFFICULTIES = ["beginner", "intermediate", "advanced"]
MEMORY = ["128Mi", "256Mi", "384Mi", "512Mi"]
CPUS = ["0.25", "0.5", "0.75", "1"]
PIDS = ["64", "128", "192", "256"]
SESSION = ["30m", "45m", "1h"]
DURATION = ["15m", "20m", "30m", "45m", "1h"]
TIMEOUTS = ["5s", "10s", "15s", "30s"]


def slugify(text):
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "-".join(part for part in "".join(out).split("-") if part)
    return slug[:48].rstrip("-")


def q(text):
    """A double-quoted YAML scalar (JSON escapes are valid YAML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def literal_block(text, indent):
    """A `|` block scalar body, each line indented by `indent` spaces; blank lines stay empty."""
    pad = " " * indent
    return "\n".join((pad + line) if line else "" for line in text.split("\n"))


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def fill(self, template, topic):
        r = self.r
        return template.format(
            verb=r.choice(VERBS), adj=r.choice(ADJECTIVES), noun=r.choice(topic["nouns"]),
            cmd=r.choice(topic["commands"]), path=r.choice(topic["paths"]))

    def paragraph(self, topic, sentences):
        r = self.r
        parts = [self.fill(r.choice(OPENERS), topic)]
        parts += [self.fill(r.choice(SENTENCES), topic) for _ in range(sentences - 1)]
        return " ".join(parts)

    def markdown(self, topic, title, size):
        """Markdown of roughly `size` characters: paragraphs, a code fence, a list, maybe a table."""
        r = self.r
        blocks = [f"## {title}", self.paragraph(topic, r.randint(1, 3))]
        misses = 0
        while misses < 4:
            kind = r.choice(["para", "code", "list", "table", "note", "para"])
            if kind == "para":
                blocks.append(self.paragraph(topic, r.randint(2, 5)))
            elif kind == "code":
                cmds = r.sample(topic["commands"], k=min(len(topic["commands"]), r.randint(1, 4)))
                blocks.append("```bash\n" + "\n".join(cmds) + "\n```")
            elif kind == "list":
                items = [f"- {self.fill(r.choice(SENTENCES), topic)}" for _ in range(r.randint(2, 5))]
                blocks.append("Keep in mind:\n\n" + "\n".join(items))
            elif kind == "table":
                rows = ["| Command | What it shows |", "| --- | --- |"]
                for cmd in r.sample(topic["commands"], k=min(3, len(topic["commands"]))):
                    cell = cmd.replace("|", "\\|")
                    rows.append(f"| `{cell}` | the {r.choice(topic['nouns'])} |")
                blocks.append("\n".join(rows))
            else:
                blocks.append(f"> **Note:** {self.fill(r.choice(SENTENCES), topic)} "
                              f"See [the docs](https://docs.example.test/{topic['name']}/"
                              f"{slugify(r.choice(topic['nouns']))}).")
            if sum(len(b) + 2 for b in blocks) > size:
                blocks.pop()
                misses += 1
        return "\n\n".join(blocks)

    def check_script(self, topic):
        r = self.r
        path = r.choice(topic["paths"])
        one_liners = [f"test -d {path}", f"test -f {path}", f"test -e {path}",
                      f"grep -q hello {path}", f"test -s {path}"]
        if r.random() < 0.75:
            return r.choice(one_liners), False
        lines = ["set -eu", f"target={path}", 'test -e "$target"',
                 f'count=$(ls -1 "$target" 2>/dev/null | wc -l)', 'test "$count" -ge 1',
                 'echo "found $count entries in $target"']
        return "\n".join(lines[: r.randint(3, len(lines))]), True

    # ----------------------------------------------------------------------------------------------

    def workshop(self, index, steps_range, challenges_range, step_md_size, checks_choices=(1, 1, 2),
                 compact_after=10**9):
        """Returns (slug, yaml_text); steps past `compact_after` get one challenge each."""
        r = self.r
        topic = TOPICS[index % len(TOPICS)]
        title = f"{topic['title']} {r.choice(['basics', 'in practice', 'deep dive', 'for beginners', 'troubleshooting', 'essentials'])} {index + 1}"
        slug = slugify(title)
        out = []
        w = out.append
        w("---")
        w("apiVersion: nalabo/v1")
        w("kind: Workshop")
        w("metadata:")
        w(f"  slug: {slug}")
        w(f"  title: {q(title)}")
        w(f"  version: {r.randint(0, 3)}.{r.randint(0, 9)}.{r.randint(0, 20)}")
        w(f"  summary: {q(self.paragraph(topic, 2))}")
        tags = topic["tags"] + r.sample(["hands-on", "lab", "cli", "devops", "ops"], k=r.randint(0, 2))
        w(f"  tags: [{', '.join(tags)}]")
        w(f"  difficulty: {r.choice(DIFFICULTIES)}")
        w(f"  duration: {r.choice(DURATION)}")
        w("environment:")
        w("  network: isolated")
        w("  containers:")
        w(f"    - name: workstation")
        w(f"      image: {q(topic['image'])}")
        w(f"      shell: {topic['shell']}")
        w(f"      workdir: {topic['workdir']}")
        w("      env:")
        w(f"        GREETING: {q(r.choice(['hello', 'welcome', 'bonjour']))}")
        w(f"        TOPIC: {topic['name']}")
        if r.random() < 0.5:
            w(f"        LANG: C.UTF-8")
        ports = sorted(r.sample([3000, 5432, 8000, 8080, 9000], k=r.randint(0, 2)))
        if ports:
            w(f"      ports: [{', '.join(map(str, ports))}]")
        w("      resources:")
        w(f"        cpus: {r.choice(CPUS)}")
        w(f"        memory: {r.choice(MEMORY)}")
        w(f"        pids: {r.choice(PIDS)}")
        w("  setup:")
        parents = sorted({p.rsplit("/", 1)[0] or "/" for p in r.sample(topic["paths"], k=2)})
        for parent in parents:
            w(f"    - {{run: {q('mkdir -p ' + parent)}, timeout: 2m}}")
        w("limits:")
        w(f"  session: {r.choice(SESSION)}")
        w("steps:")
        challenge_ids = []
        n_steps = r.randint(*steps_range)
        for s in range(n_steps):
            step_title = f"{r.choice(VERBS).capitalize()} the {r.choice(ADJECTIVES)} {r.choice(topic['nouns'])}"
            step_id = f"step-{s + 1}-{slugify(step_title)}"[:40].rstrip("-")
            w(f"  - id: {step_id}")
            w(f"    title: {q(step_title)}")
            w("    content: |")
            w((MD_MARK, step_title))
            n_ch = r.randint(*challenges_range) if n_steps <= compact_after else 1
            if n_ch:
                w("    challenges:")
            for c in range(n_ch):
                ch_title = f"{r.choice(VERBS).capitalize()} {r.choice(topic['paths'])}"
                ch_id = f"c{s + 1}-{c + 1}-{slugify(ch_title)}"[:40].rstrip("-")
                w(f"      - id: {ch_id}")
                w(f"        title: {q(ch_title)}")
                hints = [self.fill(t, topic) for t in r.sample(HINT_TEMPLATES, k=r.randint(1, 3))]
                if r.random() < 0.5:
                    w(f"        hints: [{', '.join(q(h) for h in hints)}]")
                else:
                    w("        hints:")
                    for h in hints:
                        w(f"          - {q(h)}")
                if challenge_ids and r.random() < 0.4:
                    needs = r.sample(challenge_ids, k=min(len(challenge_ids), r.randint(1, 2)))
                    w(f"        needs: [{', '.join(needs)}]")
                w("        checks:")
                for k in range(r.choice(checks_choices)):
                    script, multiline = self.check_script(topic)
                    name = f"check-{k + 1}"
                    fail = self.fill(r.choice(FAIL_MESSAGES), topic)
                    if not multiline and r.random() < 0.5:
                        w(f"          - {{name: {name}, run: {q(script)}, timeout: {r.choice(TIMEOUTS)}, "
                          f"points: {r.choice([5, 10, 20])}, expect: {{exit: 0}}, fail_message: {q(fail)}}}")
                    else:
                        w(f"          - name: {name}")
                        if multiline:
                            w("            run: |")
                            w(literal_block(script, 14))
                        else:
                            w(f"            run: {q(script)}")
                        w(f"            timeout: {r.choice(TIMEOUTS)}")
                        w(f"            points: {r.choice([5, 10, 20])}")
                        w("            expect:")
                        w("              exit: 0")
                        w(f"            fail_message: {q(fail)}")
                solve = r.choice(topic["commands"])
                w(f"        solve: {{run: {q(solve)}}}")
                challenge_ids.append(ch_id)
        # Markdown last, sized so that the whole spec lands near its target size.
        fixed = sum(len(x) + 1 for x in out if isinstance(x, str))
        if isinstance(step_md_size, tuple):
            target = r.randint(*step_md_size)
            md_size = max(220, (target - fixed) // n_steps)
        else:
            md_size = step_md_size
        text = "\n".join(x if isinstance(x, str) else
                         literal_block(self.markdown(topic, x[1], md_size), 6) for x in out)
        return slug, text + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=1000, help="specs in corpus A (default 1000)")
    ap.add_argument("--big-bytes", type=int, default=1 << 20, help="most bytes of corpus B (default 1 MiB, nalabo's limit for one spec file)")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--check", action="store_true", help="re-load every file with PyYAML as a self-check")
    args = ap.parse_args()

    g = Generator(args.seed)
    manifest = {"a": [], "b": []}

    # Corpus A: 3-6 steps, 1-2 challenges each (at most 12 <= 25), step text sized so that a spec
    # is about 5 KB.
    # A draw that comes out too big (many challenges with multi-line checks) is drawn again.
    for i in range(args.count):
        for _ in range(50):
            slug, text = g.workshop(i, steps_range=(3, 6), challenges_range=(1, 2), step_md_size=A_SIZE,
                                    compact_after=4)
            if len(text.encode("utf-8")) <= A_SIZE[1] + 400:
                break
        path = os.path.join(args.out, "a", f"{i:04d}-{slug}", "workshop.yaml")
        manifest["a"].append({"path": path, "bytes": write(path, text)})

    # Corpus B: the most steps that keep the spec within BIG_BYTES (nalabo refuses a spec file over
    # 1 MiB before parsing it, so the default is exactly that limit).
    def big(steps):
        slug, text = Generator(args.seed + 1).workshop(
            7, steps_range=(steps, steps), challenges_range=(2, 4), step_md_size=6000, checks_choices=(1, 2, 3))
        return slug, text, len(text.encode("utf-8"))

    big_steps = max(1, args.big_bytes // 9000)
    slug, text, size = big(big_steps)
    big_steps = max(1, int(big_steps * args.big_bytes / size))
    slug, text, size = big(big_steps)
    while size > args.big_bytes and big_steps > 1:
        big_steps -= 1
        slug, text, size = big(big_steps)
    while True:
        bigger = big(big_steps + 1)
        if bigger[2] > args.big_bytes:
            break
        big_steps += 1
        slug, text, size = bigger
    path = os.path.join(args.out, "b", f"{slug}-xl", "workshop.yaml")
    manifest["b"].append({"path": path, "bytes": write(path, text), "steps": big_steps})

    for key in ("a", "b"):
        manifest[f"{key}_bytes"] = sum(e["bytes"] for e in manifest[key])
        manifest[f"{key}_files"] = len(manifest[key])
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    if args.check:
        import yaml
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for e in manifest["a"] + manifest["b"]:
            with open(e["path"], "rb") as f:
                doc = yaml.load(f, Loader=loader)
            assert doc["kind"] == "Workshop" and doc["steps"], e["path"]
            if e in manifest["a"]:
                assert 3 <= len(doc["steps"]) <= 10, e["path"]
                assert sum(len(s.get("challenges", [])) for s in doc["steps"]) <= 25, e["path"]

    print(f"corpus A: {manifest['a_files']} files, {manifest['a_bytes']} bytes "
          f"(mean {manifest['a_bytes'] // max(1, manifest['a_files'])} B); "
          f"corpus B: {manifest['b_files']} file, {manifest['b_bytes']} bytes, {big_steps} steps",
          file=sys.stderr)


if __name__ == "__main__":
    main()
