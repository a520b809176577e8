#!/usr/bin/env python3
"""Deterministic generator of publishable workshop directories for the catalogue benchmark.

    gen_workshops.py OUT_DIR [--count 1000] [--seed 20241124]

writes OUT_DIR/<nnnn>-<slug>/ for each workshop:

    workshop.yaml          metadata, one container, setup, limits, an intro step and 3-4 steps with 1-2
                           challenges each (inline Markdown content, hints, needs, checks, a solve):
                           3.5-8.7 KB, 5.6 KB on average (bundle: about 8 KB of canonical JSON)
    steps/intro.md         the first step's Markdown (content_file)
    setup/prepare.sh       the environment's setup script
    checks/<id>.sh         the script of every third-or-so check (`script:` checks)
    solutions/<id>.sh      a few multi-line solves

About 7 KB per directory in all (4.4-11 KB); every slug is distinct (it ends with the index), and every workshop stays
within the free plan, so it validates and publishes on any plan. The vocabulary and the Markdown writer are
Benchmarks/validate/gen_corpus.py's (imported, not copied); the output depends only on the arguments.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "validate"))
from gen_corpus import (ADJECTIVES, CPUS, DIFFICULTIES, DURATION, FAIL_MESSAGES, HINT_TEMPLATES,  # noqa: E402
                        MEMORY, PIDS, SESSION, TIMEOUTS, TOPICS, VERBS, Generator, literal_block, q, slugify)

LEVELS = ["basics", "in practice", "deep dive", "for beginners", "troubleshooting", "essentials", "hands-on"]


class WorkshopGenerator(Generator):
    def script(self, topic, lines):
        r = self.r
        path = r.choice(topic["paths"])
        body = ["#!/bin/sh", f"# Generated for the catalogue benchmark: looks at {path}.", "set -eu",
                f'target="{path}"']
        pool = ['if [ ! -e "$target" ]; then', '  echo "FAIL: $target is missing."', "  exit 1", "fi",
                f'echo "OK: {r.choice(topic["nouns"])} found at $target"',
                'ls -la "$target" >/dev/null 2>&1 || true',
                f'grep -q "{r.choice(["hello", "ready", "done"])}" "$target" 2>/dev/null || echo "note: no marker yet"']
        return "\n".join(body + pool[:max(4, lines)]) + "\n"

    def workshop(self, index):
        """Returns (slug, {relative path: text})."""
        r = self.r
        topic = TOPICS[index % len(TOPICS)]
        level = r.choice(LEVELS)
        title = f"{topic['title']} {level} {index + 1}"
        slug = f"{slugify(topic['title'] + ' ' + level)[:40]}-{index:04d}"
        files = {}
        out = []
        w = out.append
        w("apiVersion: nalabo/v1")
        w("kind: Workshop")
        w("metadata:")
        w(f"  slug: {slug}")
        w(f"  title: {q(title)}")
        w(f"  version: {r.randint(0, 3)}.{r.randint(0, 9)}.{r.randint(0, 20)}")
        w(f"  summary: {q(self.paragraph(topic, 2))}")
        tags = topic["tags"] + r.sample(["hands-on", "lab", "cli", "devops", "ops", "beginner-friendly"], k=r.randint(0, 2))
        w(f"  tags: [{', '.join(tags)}]")
        w(f"  difficulty: {r.choice(DIFFICULTIES)}")
        w(f"  duration: {r.choice(DURATION)}")
        w("")
        w("environment:")
        w(f"  network: {r.choice(['none', 'isolated'])}")
        w("  containers:")
        w("    - name: workstation")
        w(f"      image: {q(topic['image'])}")
        w(f"      shell: {topic['shell']}")
        w(f"      workdir: {topic['workdir']}")
        w("      env:")
        w(f"        TOPIC: {topic['name']}")
        w("        LANG: C.UTF-8")
        ports = sorted(r.sample([3000, 5432, 8000, 8080, 9000], k=r.randint(0, 2)))
        if ports:
            w(f"      ports: [{', '.join(map(str, ports))}]")
        w(f"      resources: {{cpus: {r.choice(CPUS)}, memory: {r.choice(MEMORY)}, pids: {r.choice(PIDS)}}}")
        w("  setup:")
        w("    - script: setup/prepare.sh")
        w("      timeout: 2m")
        files["setup/prepare.sh"] = self.script(topic, 6)
        w("")
        w("limits:")
        w(f"  session: {r.choice(SESSION)}")
        w("")
        w("steps:")
        w("  - id: intro")
        w(f"    title: {q('Welcome to ' + title)}")
        w("    content_file: steps/intro.md")
        files["steps/intro.md"] = self.markdown(topic, f"Welcome to {title}", r.randint(450, 800)) + "\n"
        challenge_ids = []
        for s in range(r.randint(3, 4)):
            step_title = f"{r.choice(VERBS).capitalize()} the {r.choice(ADJECTIVES)} {r.choice(topic['nouns'])}"
            step_id = f"s{s + 1}-{slugify(step_title)}"[:40].rstrip("-")
            w("")
            w(f"  - id: {step_id}")
            w(f"    title: {q(step_title)}")
            w("    content: |")
            w(literal_block(self.markdown(topic, step_title, r.randint(180, 420)), 6))
            w("    challenges:")
            for c in range(r.randint(1, 2)):
                ch_title = f"{r.choice(VERBS).capitalize()} {r.choice(topic['paths'])}"
                ch_id = f"c{s + 1}-{c + 1}-{slugify(ch_title)}"[:40].rstrip("-")
                w(f"      - id: {ch_id}")
                w(f"        title: {q(ch_title)}")
                w(f"        content: {q(self.fill(r.choice(HINT_TEMPLATES), topic) + ' ' + self.fill(r.choice(VERBS).capitalize() + ' the {adj} {noun}.', topic))}")
                w("        hints:")
                for h in r.sample(HINT_TEMPLATES, k=r.randint(1, 3)):
                    w(f"          - {q(self.fill(h, topic))}")
                if challenge_ids and r.random() < 0.5:
                    w(f"        needs: [{challenge_ids[-1]}]")
                w("        checks:")
                for k in range(r.choice([1, 1, 2])):
                    fail = self.fill(r.choice(FAIL_MESSAGES), topic)
                    points = r.choice([5, 10, 10, 20])
                    if r.random() < 0.3:
                        name = f"{ch_id}-{k + 1}"[:60]
                        files[f"checks/{name}.sh"] = self.script(topic, r.randint(4, 7))
                        w(f"          - name: check-{k + 1}")
                        w(f"            script: checks/{name}.sh")
                        w(f"            timeout: {r.choice(TIMEOUTS)}")
                        w(f"            points: {points}")
                    else:
                        script, multiline = self.check_script(topic)
                        if multiline:
                            w(f"          - name: check-{k + 1}")
                            w("            run: |")
                            w(literal_block(script, 14))
                            w(f"            timeout: {r.choice(TIMEOUTS)}")
                            w(f"            points: {points}")
                            w(f"            fail_message: {q(fail)}")
                        else:
                            w(f"          - {{name: check-{k + 1}, run: {q(script)}, timeout: {r.choice(TIMEOUTS)}, "
                              f"points: {points}, expect: {{exit: 0}}, fail_message: {q(fail)}}}")
                if r.random() < 0.2:
                    files[f"solutions/{ch_id}.sh"] = "#!/bin/sh\nset -eu\n" + "\n".join(
                        r.sample(topic["commands"], k=min(3, len(topic["commands"])))) + "\n"
                    w(f"        solve: {{script: solutions/{ch_id}.sh, timeout: 1m}}")
                else:
                    w(f"        solve: {{run: {q(r.choice(topic['commands']))}}}")
                challenge_ids.append(ch_id)
        files["workshop.yaml"] = "\n".join(out) + "\n"
        return slug, files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20241124)
    args = ap.parse_args()
    g = WorkshopGenerator(args.seed)
    sizes = []
    for i in range(args.count):
        slug, files = g.workshop(i)
        root = os.path.join(args.out, f"{i:04d}-{slug}")
        total = 0
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            total += len(text.encode("utf-8"))
        sizes.append((total, len(files["workshop.yaml"].encode("utf-8"))))
    n = len(sizes)
    print(f"{n} workshops in {args.out}: {sum(s for s, _ in sizes) / n / 1000:.1f} KB per directory on average "
          f"(workshop.yaml {sum(y for _, y in sizes) / n / 1000:.1f} KB; smallest {min(s for s, _ in sizes) / 1000:.1f}, "
          f"largest {max(s for s, _ in sizes) / 1000:.1f} KB)", file=sys.stderr)


if __name__ == "__main__":
    main()
