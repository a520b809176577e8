"""COPY files for the catalogue at scale: users, workshops, versions, challenges, sessions and attempts.

Used by bench.py (not a command). `write(out_dir, corpus, ...)` takes the published corpus of part 1 (each
entry: slug, title, summary, tags, bundle as a dict, challenges as [(id, step, points)]) and writes
PostgreSQL COPY text files whose rows look like a catalogue that has been in use for two years:

- users: one mapped login role (the caller's, id `first_id - 1`, created beforehand with
  `nalabo admin users add`), AUTHORS authors (free, pro or team plan after how many workshops they own)
  and LEARNERS learners;
- WORKSHOPS workshops, skewed over the authors (a few own hundreds); the login role owns BENCH_OWNS of them;
- 1-6 versions each (1.75 on average), semver-ordered, about 3% yanked and 1% of workshops entirely yanked;
  each version's bundle is a corpus bundle with its metadata (slug, title, version) rewritten, stored as
  canonical JSON with its sha256 digest, and its challenges are the bundle's;
- SESSIONS sessions over published versions, Zipf-skewed by workshop popularity; the stats target (the
  login role's first workshop) gets TARGET_SESSIONS of them;
- per session, attempts challenge by challenge in order: 1-4 tries until a pass, sometimes a skip, a
  session stops at its first unpassed challenge; status, score, ended_at follow from that.

Deterministic: a seeded random.Random and a fixed clock (NOW below), never the real one.
"""

import datetime as dt
import hashlib
import json
import os
import random
import uuid

NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def esc(value):
    """One field of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def text_array(items):
    """A text[] literal, as nalabo sends tags: {"a","b"} (labels need no escaping)."""
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


def canonical(value):
    """Canonical JSON as nalabo writes bundles (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def order_key(version):
    """SemanticVersion.orderKey (Sources/Catalogue/Model/WorkshopAddress.swift), ported."""
    core, _, prerelease = version.partition("-")
    core = core.split("+")[0]
    prerelease = prerelease.split("+")[0]
    major, minor, patch = (int(part) for part in core.split("."))
    key = f"{major:010d}.{minor:010d}.{patch:010d}"
    if not prerelease:
        return key + "~"
    parts = []
    for identifier in prerelease.split("."):
        parts.append("0" + f"{int(identifier):010d}" if identifier.isdigit() else "1" + identifier)
    return key + "-" + ".".join(parts)


def ts(moment):
    return moment.isoformat(sep=" ")


def bundle_template(bundle):
    """The canonical text of a bundle with placeholders for metadata.slug, .title and .version: canonical JSON
    sorts keys, so substituting values afterwards gives the same text as serialising the changed bundle."""
    spec = dict(bundle["spec"])
    spec["metadata"] = dict(spec["metadata"], slug="\0SLUG\0", title="\0TITLE\0", version="\0VERSION\0")
    return canonical(dict(bundle, spec=spec))


def fill(template, slug, title, version):
    value = lambda text: json.dumps(text, ensure_ascii=False)[1:-1]  # noqa: E731 - the escaped string body
    return (template.replace("\\u0000SLUG\\u0000", value(slug)).replace("\\u0000TITLE\\u0000", value(title))
            .replace("\\u0000VERSION\\u0000", value(version)))


class Table:
    def __init__(self, directory, name, columns):
        self.name = name
        self.columns = columns
        self.path = os.path.join(directory, f"{name.split('.')[-1]}.copy")
        self.file = open(self.path, "w", encoding="utf-8", newline="\n")
        self.rows = 0

    def add(self, *values):
        self.file.write("\t".join(esc(v) for v in values) + "\n")
        self.rows += 1

    def add_plain(self, *values):
        """A row whose values need no escaping (numbers, ids, timestamps, labels): faster for big tables."""
        self.file.write("\t".join(values) + "\n")
        self.rows += 1

    def close(self):
        self.file.close()

    def copy_command(self):
        return f"\\copy {self.name} ({', '.join(self.columns)}) from '{self.path}'"


def write(out_dir, corpus, *, first_user_id, bench_user_id, seed=20241124, workshops=10_000, sessions=100_000,
          authors=400, learners=3000, bench_owns=40, target_sessions=5000):
    r = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    users = Table(out_dir, "nalabo.users", ["id", "handle", "db_role", "role", "plan", "created_at"])
    workshop_table = Table(out_dir, "nalabo.workshops", ["id", "owner_id", "slug", "created_at"])
    versions = Table(out_dir, "nalabo.workshop_versions",
                     ["id", "workshop_id", "version", "version_order", "digest", "bundle", "title", "summary", "tags",
                      "published_at", "published_by", "yanked_at", "yanked_by"])
    challenges = Table(out_dir, "nalabo.challenges", ["version_id", "challenge", "step", "points", "position"])
    session_table = Table(out_dir, "nalabo.workshop_sessions",
                          ["id", "learner_id", "version_id", "started_at", "expires_at", "ended_at", "status", "score"])
    attempts = Table(out_dir, "nalabo.challenge_attempts",
                     ["id", "session_id", "challenge", "attempted_at", "passed", "points", "skipped"])

    # --- workshops and their owners ---------------------------------------------------------------------
    author_ids = list(range(first_user_id, first_user_id + authors))
    learner_ids = list(range(first_user_id + authors, first_user_id + authors + learners))
    owners = [bench_user_id] * bench_owns
    owners += [author_ids[int(authors * r.random() ** 2.2)] for _ in range(workshops - bench_owns)]
    owned = {}
    for owner in owners:
        owned[owner] = owned.get(owner, 0) + 1
    epoch = NOW - dt.timedelta(days=730)
    for uid in author_ids:
        count = owned.get(uid, 0)
        plan = "free" if count <= 3 else "pro" if count <= 50 else "team"
        users.add(uid, f"author-{uid:05d}", f"author_{uid:05d}", "user", plan, ts(epoch + dt.timedelta(hours=uid)))
    for uid in learner_ids:
        users.add(uid, f"learner-{uid:05d}", f"learner_{uid:05d}", "user", "free",
                  ts(epoch + dt.timedelta(hours=authors + uid)))

    templates = [bundle_template(source["bundle"]) for source in corpus]
    version_id = 0
    published = []   # per workshop: (weight, [(version_id, published_at, [(challenge, points)], limit_minutes)])
    target = None
    for n, owner in enumerate(owners):
        wid = n + 1
        source = corpus[n % len(corpus)]
        base = source["slug"].rsplit("-", 1)[0]
        slug = f"{base}-{n:05d}"
        title = f"{source['title'].rsplit(' ', 1)[0]} {n + 1}"
        created = epoch + dt.timedelta(seconds=r.randint(0, 700 * 86400))
        workshop_table.add(wid, owner, slug, ts(created))
        count = r.choices([1, 2, 3, 4, 5, 6], weights=[55, 25, 12, 4, 2, 2])[0]
        major, minor, patch = r.randint(0, 2), r.randint(0, 4), 0
        moment = created
        all_yanked = r.random() < 0.01
        live = []
        for k in range(count):
            if k:
                step = r.random()
                if step < 0.15:
                    major, minor, patch = major + 1, 0, 0
                elif step < 0.6:
                    minor, patch = minor + 1, 0
                else:
                    patch += 1
            version = f"{major}.{minor}.{patch}"
            if k == count - 1 and count > 1 and r.random() < 0.05:
                version = f"{major + 1}.0.0-rc.{r.randint(1, 3)}"
            moment = min(NOW - dt.timedelta(days=1), moment + dt.timedelta(seconds=r.randint(3600, 90 * 86400)))
            text = fill(templates[n % len(corpus)], slug, title, version)
            digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
            yanked = all_yanked or r.random() < 0.03
            yanked_at = moment + dt.timedelta(days=r.randint(1, 30)) if yanked else None
            version_id += 1
            versions.add(version_id, wid, version, order_key(version), digest, text, title, source["summary"],
                         text_array(source["tags"]), ts(moment), owner,
                         ts(min(yanked_at, NOW)) if yanked_at else None, owner if yanked else None)
            for position, (challenge, step_id, points) in enumerate(source["challenges"], start=1):
                challenges.add(version_id, challenge, step_id, points, position)
            limit = {"30m": 30, "45m": 45, "1h": 60}.get(source["bundle"]["spec"].get("limits", {}).get("session", "1h"), 60)
            if not yanked:
                live.append((version_id, moment, [(c, p) for c, _, p in source["challenges"]], limit))
        if live:
            published.append(live)
            if owner == bench_user_id and target is None:
                target = {"slug": slug, "index": len(published) - 1, "versions": count}

    # --- sessions and attempts ----------------------------------------------------------------------------
    # Zipf-like popularity over the published workshops; the target gets a fixed share on top.
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(published))]
    r.shuffle(weights)
    weights[target["index"]] = 0.0
    picks = r.choices(range(len(published)), weights=weights, k=sessions - target_sessions)
    picks += [target["index"]] * target_sessions
    r.shuffle(picks)
    attempt_id = 0
    statuses = {}
    for index in picks:
        live = published[index]
        # Mostly the newest published version; sometimes an older one still in use.
        version_id, since, steps, limit = live[-1] if r.random() < 0.8 else r.choice(live)
        started = since + dt.timedelta(seconds=r.randint(60, max(120, int((NOW - since).total_seconds()))))
        sid = str(uuid.UUID(int=r.getrandbits(128), version=4))
        moment = started
        score, done, stopped = 0, 0, False
        for challenge, points in steps:
            if r.random() < 0.03:   # skipped: recorded, no points, the learner moves on
                moment += dt.timedelta(seconds=r.randint(5, 60))
                attempt_id += 1
                attempts.add_plain(str(attempt_id), sid, challenge, ts(moment), "f", "0", "t")
                continue
            tries = r.choices([1, 2, 3, 4], weights=[50, 28, 14, 8])[0]
            passes = r.random() < 0.82
            for t in range(tries):
                moment += dt.timedelta(seconds=int(r.expovariate(1 / 150)) + 10)
                last = t == tries - 1
                attempt_id += 1
                won = passes and last
                attempts.add_plain(str(attempt_id), sid, challenge, ts(moment), "t" if won else "f",
                                   str(points) if won else "0", "f")
            if not passes:
                stopped = True
                break
            score += points
            done += 1
        expires = started + dt.timedelta(minutes=limit)
        if not stopped:
            status, ended = "completed", moment
        elif NOW - started < dt.timedelta(minutes=limit):
            status, ended = "active", None
        elif r.random() < 0.6:
            status, ended = "abandoned", moment + dt.timedelta(seconds=r.randint(30, 600))
        else:
            status, ended = "expired", expires
        statuses[status] = statuses.get(status, 0) + 1
        session_table.add(sid, r.choice(learner_ids), version_id, ts(started), ts(expires),
                          ts(ended) if ended else None, status, score)

    tables = [users, workshop_table, versions, challenges, session_table, attempts]
    for table in tables:
        table.close()
    return {
        "tables": tables,
        "target": target,
        "counts": {table.name: table.rows for table in tables},
        "statuses": statuses,
        "bytes": sum(os.path.getsize(table.path) for table in tables),
    }
