#!/usr/bin/env python3
"""The catalogue benchmark's driver; Benchmarks/catalogue/run starts the cluster and calls it.

    bench.py --work DIR --nalabo BIN --repo REPO [--count 1000] [--workshops 10000] [--sessions 100000]
             [--target-sessions 5000] [--runs 3] [--repeats 5] [--try-changes] [--skip-denormalised] [--strict]

Needs PGHOST/PGPORT/PGUSER (the cluster's superuser) in the environment and psycopg2. Progress goes to
stderr; plan summaries and the final table to stdout. Creates roles and databases in that cluster, which
must be a throwaway one. See README.md beside this file.
"""

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_scale  # noqa: E402

OWNER = "bench_owner"            # owns both databases and runs `nalabo catalogue migrate`
PUBLISH_DB = "nalabo_publish"    # part 1
SCALE_DB = "nalabo_scale"        # part 2
PUBLISH_SQL = "SELECT nalabo.publish(%s, %s, %s, %s, %s::jsonb, %s, %s, %s::text[], %s::jsonb)"  # Publishing.swift


def say(message):
    print(message, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.nalabo = args.nalabo
        self.env = dict(os.environ)
        self.superuser = os.environ.get("PGUSER", "postgres")
        self.rows = []       # final table: (metric, value, baseline, ratio/target, verdict)
        self.notes = []
        self.missed = False
        self.run_number = 0  # numbers the library-path and floor users: bench_lib1, bench_floor1, ...

    # --- plumbing ----------------------------------------------------------------------------------------

    def role_env(self, role, database):
        env = dict(self.env)
        env.update(PGUSER=role, PGDATABASE=database)
        env.pop("NALABO_DATABASE_URL", None)
        return env

    def nalabo_run(self, argv, role, database, check=True, stdout=subprocess.PIPE):
        started = time.perf_counter()
        done = subprocess.run([self.nalabo] + argv, env=self.role_env(role, database), stdout=stdout,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
        if check and done.returncode != 0:
            raise SystemExit(f"bench: `nalabo {' '.join(argv)}` as {role} failed ({done.returncode}): "
                             f"{done.stderr.strip()[:2000]}")
        return done, elapsed

    def psql(self, database, *commands, role=None, script=None):
        argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-U", role or self.superuser]
        for command in commands:
            argv += ["-c", command]
        if script:
            argv += ["-f", script]
        started = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"bench: psql on {database} failed: {done.stderr.strip()[:2000]}")
        return elapsed

    def connect(self, database, role=None):
        connection = psycopg2.connect(dbname=database, user=role or self.superuser, host=os.environ["PGHOST"],
                                      port=os.environ["PGPORT"], application_name="nalabo-bench")
        return connection

    def row(self, metric, value, baseline="", ratio="", verdict="info"):
        self.rows.append((metric, value, baseline, ratio, verdict))
        if verdict == "MISS":
            self.missed = True

    # --- set-up ------------------------------------------------------------------------------------------

    def create_catalogue(self, database):
        self.psql("postgres", f"CREATE DATABASE {database} OWNER {OWNER}")
        done, _ = self.nalabo_run(["catalogue", "migrate"], OWNER, database)
        say(f"  {database}: {done.stdout.strip()}")

    def add_user(self, database, handle, role):
        """A login role (as a DBA creates it) mapped to a team-plan nalabo user by `nalabo admin users add`."""
        self.psql("postgres", f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        self.nalabo_run(["admin", "users", "add", handle, "--db-role", role, "--plan", "team"], OWNER, database)
        connection = self.connect(database)
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT id FROM nalabo.users WHERE handle = %s", (handle,))
            user_id = cursor.fetchone()[0]
        connection.close()
        return user_id

    def setup(self):
        say("creating the owner role and two catalogues, migrated with `nalabo catalogue migrate` ...")
        self.psql("postgres", f"CREATE ROLE {OWNER} LOGIN CREATEROLE")
        self.create_catalogue(PUBLISH_DB)
        self.create_catalogue(SCALE_DB)

    # --- part 1: publish throughput -----------------------------------------------------------------------

    def generate_corpus(self):
        corpus = os.path.join(self.args.work, "corpus")
        say(f"generating {self.args.count} workshops in {corpus} ...")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_workshops.py"), corpus, "--count",
                        str(self.args.count)], check=True)
        dirs = sorted(os.path.join(corpus, name) for name in os.listdir(corpus))
        done, elapsed = self.nalabo_run(["validate", corpus, "--format", "json"], OWNER, PUBLISH_DB, check=False)
        if done.returncode != 0:
            raise SystemExit(f"bench: the generated workshops do not validate:\n{done.stdout[:3000]}{done.stderr[:2000]}")
        say(f"  all {len(dirs)} validate (`nalabo validate` on the tree: {elapsed:.2f} s)")
        return dirs

    def publish_cli(self, dirs):
        handle = "cli"
        self.add_user(PUBLISH_DB, handle, "bench_cli")
        say(f"(a) {len(dirs)} `nalabo publish DIR` processes, one after another, as bench_cli ...")
        walls = []
        started = time.perf_counter()
        for path in dirs:
            done, elapsed = self.nalabo_run(["publish", path], "bench_cli", PUBLISH_DB)
            if not done.stdout.startswith("published "):
                raise SystemExit(f"bench: unexpected publish output for {path}: {done.stdout!r}")
            walls.append(elapsed)
        total = time.perf_counter() - started
        whoami = [self.nalabo_run(["whoami"], "bench_cli", PUBLISH_DB)[1] for _ in range(20)]
        validate_one = [self.nalabo_run(["validate", dirs[i % len(dirs)]], "bench_cli", PUBLISH_DB)[1] for i in range(20)]
        say(f"  {total:.1f} s: {len(dirs) / total:.0f} workshops/s; median process {statistics.median(walls) * 1000:.0f} ms "
            f"(`nalabo whoami` {statistics.median(whoami) * 1000:.0f} ms, `nalabo validate DIR` "
            f"{statistics.median(validate_one) * 1000:.0f} ms)")
        return {"total": total, "median": statistics.median(walls), "whoami": statistics.median(whoami),
                "validate": statistics.median(validate_one)}

    def published_arguments(self):
        """nalabo.publish's nine arguments for each workshop, as nalabo sent them: read back from what the CLI
        published, the bundle re-serialised as canonical JSON and checked against its digest."""
        connection = self.connect(PUBLISH_DB)
        with connection, connection.cursor() as cursor:
            cursor.execute("""
                SELECT w.slug, v.version, v.version_order, v.digest, v.bundle::text, v.title, v.summary, v.tags,
                       (SELECT json_agg(json_build_object('id', c.challenge, 'step', c.step, 'points', c.points)
                                        ORDER BY c.position)
                        FROM nalabo.challenges c WHERE c.version_id = v.id)::text
                FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                JOIN nalabo.users u ON u.id = w.owner_id
                WHERE u.handle = 'cli' ORDER BY w.slug""")
            rows = cursor.fetchall()
        connection.close()
        arguments, mismatched = [], 0
        for slug, version, order, digest, bundle, title, summary, tags, challenges in rows:
            text = gen_scale.canonical(json.loads(bundle))
            if "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                mismatched += 1
            if gen_scale.order_key(version) != order:
                raise SystemExit(f"bench: the ported orderKey disagrees with nalabo's for {version}: {order}")
            challenge_list = [[c["id"], c["step"], c["points"]] for c in json.loads(challenges or "[]")]
            arguments.append({
                "slug": slug, "version": version, "order": order, "digest": digest, "bundle": text, "title": title,
                "summary": summary, "tags": tags, "challenges": challenge_list,
                "args": (slug, version, order, digest, text, title, summary, gen_scale.text_array(tags),
                         gen_scale.canonical([{"id": c, "step": s, "points": p} for c, s, p in challenge_list])),
            })
        if mismatched:
            self.notes.append(f"{mismatched} of {len(rows)} re-serialised bundles do not hash to their digest: the "
                              "library-path arguments are the same JSON values but not byte-identical to nalabo's")
        else:
            say(f"  read back {len(rows)} published versions; every re-serialised bundle hashes to its digest "
                "(the library path sends byte-identical arguments)")
        return arguments

    def publish_library(self, arguments, run):
        role, handle = f"bench_lib{run}", f"lib{run}"
        self.add_user(PUBLISH_DB, handle, role)
        connection = self.connect(PUBLISH_DB, role)
        cursor = connection.cursor()
        started = time.perf_counter()
        for item in arguments:   # one transaction each: BEGIN, SELECT nalabo.publish(...), COMMIT, as nalabo does
            cursor.execute(PUBLISH_SQL, item["args"])
            outcome = cursor.fetchone()[0]
            connection.commit()
            if outcome != "published":
                raise SystemExit(f"bench: nalabo.publish returned {outcome!r} for {item['slug']}")
        total = time.perf_counter() - started
        connection.close()
        return total

    def floor_files(self, arguments, run, owner_id):
        """COPY files with the rows nalabo.publish writes (workshops, versions, challenges, audit events)."""
        directory = os.path.join(self.args.work, f"floor{run}")
        os.makedirs(directory, exist_ok=True)
        base = 10_000_000 * run   # explicit ids far above the identity sequences
        tables = {
            "workshops": gen_scale.Table(directory, "nalabo.workshops", ["id", "owner_id", "slug"]),
            "versions": gen_scale.Table(directory, "nalabo.workshop_versions",
                                        ["id", "workshop_id", "version", "version_order", "digest", "bundle", "title",
                                         "summary", "tags", "published_by"]),
            "challenges": gen_scale.Table(directory, "nalabo.challenges",
                                          ["version_id", "challenge", "step", "points", "position"]),
            "audit": gen_scale.Table(directory, "nalabo.audit_events",
                                     ["actor_id", "actor_role", "action", "target", "details"]),
        }
        for n, item in enumerate(arguments):
            wid = vid = base + n
            tables["workshops"].add(wid, owner_id, item["slug"])
            tables["versions"].add(vid, wid, item["version"], item["order"], item["digest"], item["bundle"],
                                   item["title"], item["summary"], gen_scale.text_array(item["tags"]), owner_id)
            for position, (challenge, step, points) in enumerate(item["challenges"], start=1):
                tables["challenges"].add(vid, challenge, step, points, position)
            tables["audit"].add(owner_id, f"bench_floor{run}", "publish", f"{item['slug']}@{item['version']}",
                                gen_scale.canonical({"digest": item["digest"]}))
        script = os.path.join(directory, "load.sql")
        with open(script, "w") as f:
            f.write("BEGIN;\n")
            for table in tables.values():
                table.close()
                f.write(table.copy_command() + "\n")
            f.write("COMMIT;\n")
        return script

    def publish_floor(self, arguments, run):
        owner_id = self.add_user(PUBLISH_DB, f"floor{run}", f"bench_floor{run}")
        script = self.floor_files(arguments, run, owner_id)
        return self.psql(PUBLISH_DB, script=script)   # as the superuser: see README (COPY and forced RLS)

    def library_and_floor(self, arguments, runs, tag):
        """Best-of-`runs` workshops/s of the library path and of the floor, interleaved, each run as new users."""
        n = len(arguments)
        library, floor = [], []
        for run in range(runs):
            self.run_number += 1
            floor.append(self.publish_floor(arguments, self.run_number))
            library.append(self.publish_library(arguments, self.run_number))
            say(f"  {tag + ' ' if tag else ''}run {run + 1}: library {n / library[-1]:.0f} workshops/s ({library[-1]:.2f} s), "
                f"floor {n / floor[-1]:.0f} workshops/s ({floor[-1]:.2f} s)")
        return n / min(library), n / min(floor)

    def part1(self):
        dirs = self.generate_corpus()
        cli = self.publish_cli(dirs)
        arguments = self.published_arguments()
        n = len(arguments)
        say(f"(b) library path: nalabo.publish(...) per workshop, one transaction each, as a mapped team-plan role; "
            f"floor: \\copy of the same rows; interleaved, best of {self.args.runs} ...")
        library_rate, floor_rate = self.library_and_floor(arguments, self.args.runs, "")
        connection = self.connect(PUBLISH_DB)
        with connection, connection.cursor() as cursor:
            cursor.execute("""
                SELECT u.handle, count(*), count(DISTINCT v.digest), sum((SELECT count(*) FROM nalabo.challenges c
                                                                        WHERE c.version_id = v.id))
                FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                JOIN nalabo.users u ON u.id = w.owner_id GROUP BY u.handle ORDER BY u.handle""")
            check = cursor.fetchall()
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('nalabo.workshop_versions'))")
            size = cursor.fetchone()[0]
        connection.close()
        shapes = {(versions, digests, challenges) for _, versions, digests, challenges in check}
        if len(shapes) != 1:
            raise SystemExit(f"bench: the publishers did not store the same rows: {check}")
        versions, digests, challenge_rows = shapes.pop()
        say(f"  every publisher stored {versions} versions, {digests} distinct digests, {challenge_rows} challenges "
            f"(workshop_versions now {size})")
        cli_rate = n / cli["total"]
        self.row(f"publish: {n} `nalabo publish` processes, serial", f"{cli_rate:.0f} workshops/s",
                 f"floor {floor_rate:.0f}/s", f"{cli_rate / floor_rate:.3f}x (no target)", "info")
        self.row("publish: library path (nalabo.publish, 1 txn each)", f"{library_rate:.0f} workshops/s",
                 f"floor {floor_rate:.0f}/s", f"{library_rate / floor_rate:.3f}x (>= 0.3x)",
                 "PASS" if library_rate / floor_rate >= 0.3 else "MISS")
        self.row("publish: floor (\\copy of the same rows, 1 txn)", f"{floor_rate:.0f} workshops/s")
        self.notes.append(
            f"a `nalabo publish` process takes {cli['median'] * 1000:.0f} ms (median): `nalabo whoami` (start, connect, "
            f"one query) alone takes {cli['whoami'] * 1000:.0f} ms and `nalabo validate DIR` {cli['validate'] * 1000:.0f} ms")
        if library_rate / floor_rate < 0.3 or self.args.try_changes:
            say("publish with candidate changes (cumulative, in the benchmark database only) ...")
            for label, statements in PUBLISH_EXPERIMENTS:
                self.apply(PUBLISH_DB, statements)
                library, floor = self.library_and_floor(arguments, 2, label)
                # The floor runs the same triggers, so a change can speed it up too: both ratios are shown.
                self.row(f"  publish library path, {label}", f"{library:.0f} workshops/s", f"floor {floor:.0f}/s",
                         f"{library / floor:.3f}x (>= 0.3x); {library / floor_rate:.2f}x of the unchanged floor",
                         "PASS*" if library / floor >= 0.3 else "MISS*")
        return arguments

    # --- part 2: list and stats at scale ------------------------------------------------------------------

    def corpus_for_scale(self, arguments):
        return [{"slug": a["slug"], "title": a["title"], "summary": a["summary"], "tags": a["tags"],
                 "bundle": json.loads(a["bundle"]), "challenges": a["challenges"]} for a in arguments]

    def load_scale(self, arguments):
        bench_id = self.add_user(SCALE_DB, "bench", "bench_user")
        say(f"generating {self.args.workshops} workshops and {self.args.sessions} sessions for {SCALE_DB} ...")
        started = time.perf_counter()
        info = gen_scale.write(os.path.join(self.args.work, "scale"), self.corpus_for_scale(arguments),
                               first_user_id=bench_id + 1, bench_user_id=bench_id, workshops=self.args.workshops,
                               sessions=self.args.sessions, target_sessions=self.args.target_sessions)
        say(f"  {time.perf_counter() - started:.1f} s, {info['bytes'] / 1e6:.0f} MB of COPY text: "
            + ", ".join(f"{name.split('.')[-1]} {count}" for name, count in info["counts"].items()))
        script = os.path.join(self.args.work, "scale", "load.sql")
        with open(script, "w") as f:
            f.write("BEGIN;\n")
            for table in info["tables"]:
                f.write(table.copy_command() + "\n")
            for table, column in [("users", "id"), ("workshops", "id"), ("workshop_versions", "id"),
                                  ("challenge_attempts", "id")]:
                f.write(f"SELECT setval(pg_get_serial_sequence('nalabo.{table}', '{column}'), "
                        f"(SELECT max({column}) FROM nalabo.{table}));\n")
            f.write("COMMIT;\n")
        elapsed = self.psql(SCALE_DB, script=script)
        analyzed = self.psql(SCALE_DB, "VACUUM ANALYZE")
        say(f"  loaded with \\copy in {elapsed:.1f} s; VACUUM ANALYZE {analyzed:.1f} s")
        connection = self.connect(SCALE_DB)
        with connection, connection.cursor() as cursor:
            # Sessions and attempts per workshop of bench's: the popular target, and the one closest to the median.
            cursor.execute("""
                WITH per AS (
                    SELECT w.id, w.slug, w.owner_id, count(s.id) AS sessions
                    FROM nalabo.workshops w
                    LEFT JOIN nalabo.workshop_versions v ON v.workshop_id = w.id
                    LEFT JOIN nalabo.workshop_sessions s ON s.version_id = v.id
                    GROUP BY w.id)
                SELECT slug, sessions,
                       (SELECT count(*) FROM nalabo.challenge_attempts a JOIN nalabo.workshop_sessions s ON s.id = a.session_id
                        JOIN nalabo.workshop_versions v ON v.id = s.version_id WHERE v.workshop_id = per.id) AS attempts,
                       (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY sessions) FROM per WHERE sessions > 0) AS median
                FROM per WHERE owner_id = %s ORDER BY sessions DESC""", (bench_id,))
            mine = cursor.fetchall()
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        connection.close()
        popular = next(row for row in mine if row[0] == info["target"]["slug"])
        median = mine[0][3]
        typical = min((row for row in mine if row[0] != popular[0] and row[1] > 0), key=lambda row: abs(row[1] - median))
        targets = {"popular": {"slug": popular[0], "sessions": popular[1], "attempts": popular[2]},
                   "typical": {"slug": typical[0], "sessions": typical[1], "attempts": typical[2]}}
        say(f"  database {size}; stats targets: popular bench/{popular[0]} ({popular[1]} sessions, {popular[2]} attempts), "
            f"typical bench/{typical[0]} ({typical[1]} sessions, {typical[2]} attempts; median over workshops {median})")
        counts = info["counts"]
        self.notes.append(
            f"scale catalogue: {counts['nalabo.workshops']} workshops, {counts['nalabo.workshop_versions']} versions, "
            f"{counts['nalabo.challenges']} challenges, {counts['nalabo.workshop_sessions']} sessions, "
            f"{counts['nalabo.challenge_attempts']} attempts, {counts['nalabo.users']} users ({size}); "
            f"popular = bench/{popular[0]} ({popular[1]} sessions, {popular[2]} attempts), "
            f"typical = bench/{typical[0]} ({typical[1]} sessions, {typical[2]} attempts)")
        return targets

    def swift_queries(self):
        """The SQL of `list` and `stats`, read from the Swift sources so that the benchmark follows them."""
        def blocks(path, function):
            with open(os.path.join(self.args.repo, path), encoding="utf-8") as f:
                source = f.read()
            start = source.index(f"func {function}(")
            end = source.find("\n    }\n", start)
            found = []
            for match in re.finditer(r'"""\n(.*?)\n([ \t]*)"""', source[start:end], re.S):
                indent = match.group(2)
                lines = [line[len(indent):] if line.startswith(indent) else line.lstrip()
                         for line in match.group(1).split("\n")]
                sql = "\n".join(lines)
                if "\\" in sql:
                    raise SystemExit(f"bench: the SQL in {path} {function}() has a Swift escape or interpolation; "
                                     "teach swift_queries() about it")
                found.append(sql)
            return found
        listing = blocks("Sources/Catalogue/Operations/Browsing.swift", "list")
        stats = blocks("Sources/Catalogue/Operations/Statistics.swift", "stats")
        if len(listing) != 1 or len(stats) != 2:
            raise SystemExit(f"bench: expected 1 query in list() and 2 in stats(), found {len(listing)} and {len(stats)}")
        return {"list": listing[0], "stats totals": stats[0], "stats challenges": stats[1]}

    def explain(self, database, role, sql, params, repeats, label=None, walls=True):
        """EXPLAIN (ANALYZE, BUFFERS) of a prepared statement with custom plans, as PQexecParams plans an unnamed
        statement: median execution time of `repeats` after one warm-up, the JSON and text plans of the last, and
        the median wall time of the statement itself (no EXPLAIN) from this client. Plans go to WORK/plans."""
        connection = self.connect(database, role)
        connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        cursor.execute("PREPARE q AS " + sql)
        execute = f"EXECUTE q({', '.join(['%s'] * len(params))})"
        times, planning = [], []
        plan = None
        for i in range(repeats + 1):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + execute, params)
            plan = cursor.fetchone()[0][0]
            if i:
                times.append(plan["Execution Time"])
                planning.append(plan["Planning Time"])
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + execute, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        result, wall_times = [], []
        for _ in range(repeats if walls else 1):
            started = time.perf_counter()
            cursor.execute(execute, params)
            result = cursor.fetchall()
            wall_times.append((time.perf_counter() - started) * 1000)
        connection.close()
        if label:
            directory = os.path.join(self.args.work, "plans")
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".txt"), "w") as f:
                f.write(f"-- {label} as {role or self.superuser}, parameters {params}\n"
                        f"-- execution (EXPLAIN ANALYZE, median of {repeats}): {statistics.median(times):.1f} ms; "
                        f"statement without EXPLAIN, from this client (median of {len(wall_times)}): "
                        f"{statistics.median(wall_times):.1f} ms\n{sql}\n\n{text}\n")
        return {"execution": statistics.median(times), "planning": statistics.median(planning), "plan": plan,
                "repeats": repeats,
                "text": text, "wall": statistics.median(wall_times), "rows": len(result), "result": result}

    @staticmethod
    def plan_summary(plan):
        """How each table is read, joins, sorts and subplans from a JSON plan: actual rows x loops, what the
        row-level security filter costs, and each node's time (its children's included, all loops)."""
        lines = []

        def walk(node, depth):
            kind = node["Node Type"]
            printed = len(lines)
            rows = f"{node.get('Actual Rows', 0)} rows x {node.get('Actual Loops', 0)}"
            prefix = f"[{node['Subplan Name']}] " if node.get("Subplan Name") else ""
            if "Relation Name" in node or kind == "Function Scan":
                target = node.get("Relation Name") or node.get("Function Name", "?")
                index = f" using {node['Index Name']}" if "Index Name" in node else ""
                extra = f", {node['Rows Removed by Filter']} removed by filter" if node.get("Rows Removed by Filter") else ""
                condition = node.get("Filter", "")
                if "hashed SubPlan" in condition:
                    extra += ", RLS: one hashed subplan"
                elif "SubPlan" in condition:
                    extra += ", RLS: a subplan per row"
                elif "nalabo.is_admin" in condition:
                    extra += ", RLS: user_id InitPlan, else is_admin() per row"
                lines.append(f"{'  ' * depth}{prefix}{kind} on {target}{index} ({rows}{extra}; {total(node)})")
            elif kind in ("Sort", "Incremental Sort", "Hash Join", "Nested Loop", "Merge Join", "Aggregate", "Unique",
                          "Limit", "Memoize"):
                extra = ""
                if kind == "Sort":
                    extra = f", {node.get('Sort Method', '?')} {node.get('Sort Space Used', '?')} kB {node.get('Sort Space Type', '')}"
                if kind == "Memoize":
                    extra = f", hits {node.get('Cache Hits', 0)} misses {node.get('Cache Misses', 0)}"
                if kind == "Aggregate":
                    kind = f"{node.get('Strategy', '')} Aggregate".strip()
                lines.append(f"{'  ' * depth}{prefix}{kind} ({rows}{extra}; {total(node)})")
            for child in node.get("Plans", []):
                walk(child, depth + 1 if len(lines) > printed else depth)

        def total(node):
            return f"{node.get('Actual Total Time', 0) * max(1, node.get('Actual Loops', 1)):.1f} ms"

        walk(plan["Plan"], 0)
        top = plan["Plan"]
        buffers = (f"buffers: shared hit {top.get('Shared Hit Blocks', 0)}, read {top.get('Shared Read Blocks', 0)}, "
                   f"temp written {top.get('Temp Written Blocks', 0)}")
        return lines, buffers

    def print_plan(self, title, measured):
        lines, buffers = self.plan_summary(measured["plan"])
        print(f"\n--- {title}: {measured['execution']:.1f} ms execution (median of {measured['repeats']}), "
              f"{measured['planning']:.1f} ms planning, {measured['rows']} rows; {buffers}")
        for line in lines:
            print("    " + line)

    def cli_wall(self, argv):
        self.nalabo_run(argv, "bench_user", SCALE_DB, stdout=subprocess.DEVNULL)
        walls = [self.nalabo_run(argv, "bench_user", SCALE_DB, stdout=subprocess.DEVNULL)[1]
                 for _ in range(self.args.repeats)]
        return statistics.median(walls)

    def part2(self, arguments):
        targets = self.load_scale(arguments)
        queries = self.swift_queries()
        cases = {   # name: (query, parameters as nalabo sends them)
            "list": ("list", LIST_ALL),
            "stats totals, popular": ("stats totals", ("bench", targets["popular"]["slug"])),
            "stats challenges, popular": ("stats challenges", ("bench", targets["popular"]["slug"])),
            "stats totals, typical": ("stats totals", ("bench", targets["typical"]["slug"])),
            "stats challenges, typical": ("stats challenges", ("bench", targets["typical"]["slug"])),
        }
        say("EXPLAIN (ANALYZE, BUFFERS) of the list and stats SQL as bench_user (RLS applies), and as the superuser ...")
        baseline = {}
        for name, (query, params) in cases.items():
            measured = self.explain(SCALE_DB, "bench_user", queries[query], params, self.args.repeats, name)
            superuser = self.explain(SCALE_DB, None, queries[query], params, 3, name + " superuser", walls=False)
            baseline[name] = measured
            say(f"  {name}: {measured['execution']:.1f} ms as bench_user, {superuser['execution']:.1f} ms as the superuser")
            self.print_plan(f"{name} as bench_user", measured)
            verdict = "PASS" if measured["execution"] < TARGET_MS else "MISS"
            self.row(f"{name}: server execution", f"{measured['execution']:.1f} ms",
                     f"superuser {superuser['execution']:.1f} ms",
                     f"{measured['execution'] / max(superuser['execution'], 0.001):.1f}x; < {TARGET_MS:.0f} ms", verdict)

        owner_list = self.explain(SCALE_DB, OWNER, queries["list"], LIST_ALL, 1, "list as the owner", walls=False)
        self.print_plan("list as the catalogue owner (an admin with no users row)", owner_list)
        self.row("list as the catalogue owner: server execution", f"{owner_list['execution']:.1f} ms", "", "not the brief's case")
        say(f"  list as the catalogue owner: {owner_list['execution']:.1f} ms")

        say("wall time of the CLI commands as bench_user ...")
        clis = {
            "nalabo catalogue list --format json": ["catalogue", "list", "--format", "json"],
            "nalabo stats (popular)": ["stats", f"bench/{targets['popular']['slug']}"],
            "nalabo stats (typical)": ["stats", f"bench/{targets['typical']['slug']}"],
        }
        missed = any(row[4] == "MISS" for row in self.rows if row[0].split(":")[0] in cases)
        whoami = self.cli_wall(["whoami"])
        walls = {}
        for label, argv in clis.items():
            walls[label] = self.cli_wall(argv)
            self.row(f"{label}: wall", f"{walls[label] * 1000:.0f} ms", f"whoami {whoami * 1000:.0f} ms",
                     f"{walls[label] / whoami:.1f}x of start+connect")

        if missed or self.args.try_changes:
            self.scale_experiments(queries, cases, baseline, clis, walls, owner_list)

    def experiment_row(self, label, measured, before):
        """A row for a candidate change; its result must be the rows the query returned before the change."""
        self.print_plan(label, measured)
        verdict = "PASS*" if measured["execution"] < TARGET_MS else "MISS*"
        if measured["result"] != before["result"]:
            verdict = "WRONG*"
            self.notes.append(f"{label}: the candidate change returned other rows than before it; ignore its time")
        self.row(f"  {label}", f"{measured['execution']:.1f} ms", f"was {before['execution']:.1f} ms",
                 f"{measured['execution'] / max(before['execution'], 0.001):.2f}x; < {TARGET_MS:.0f} ms", verdict)

    def scale_experiments(self, queries, cases, baseline, clis, walls, owner_list):
        say("candidate changes, cumulative, in the benchmark database only ...")
        # 1. The read policies evaluate is_admin() once per query (an InitPlan) instead of once per row: the
        #    users policy inside nalabo.handles(), and every policy for a role that is no nalabo user (the owner).
        self.apply(SCALE_DB, READ_POLICIES_INITPLAN)
        after_initplan = {}
        for name, (query, params) in cases.items():
            measured = self.explain(SCALE_DB, "bench_user", queries[query], params, self.args.repeats, name + " initplan")
            after_initplan[name] = measured
            self.experiment_row(f"{name}, is_admin InitPlan", measured, baseline[name])
            say(f"  is_admin InitPlan: {name} {measured['execution']:.1f} ms (was {baseline[name]['execution']:.1f})")
        measured = self.explain(SCALE_DB, OWNER, queries["list"], LIST_ALL, 1, "list as the owner initplan", walls=False)
        self.print_plan("list as the catalogue owner, is_admin InitPlan", measured)
        self.row("  list as the catalogue owner, is_admin InitPlan", f"{measured['execution']:.1f} ms",
                 f"was {owner_list['execution']:.1f} ms", f"{measured['execution'] / owner_list['execution']:.2f}x")
        for label in ("nalabo catalogue list --format json", "nalabo stats (popular)"):
            wall = self.cli_wall(clis[label])
            self.row(f"  {label}: wall, is_admin InitPlan", f"{wall * 1000:.0f} ms", f"was {walls[label] * 1000:.0f} ms",
                     f"{wall / walls[label]:.2f}x")

        # 2. list: sort the workshops first, then the newest version of each by the workshop_versions_newest index.
        original_search = self.explain(SCALE_DB, "bench_user", queries["list"], LIST_NO_MATCH, self.args.repeats,
                                       "list no-match search initplan")
        rewritten = self.explain(SCALE_DB, "bench_user", LIST_REWRITE, LIST_ALL, self.args.repeats, "list rewrite")
        rewritten_search = self.explain(SCALE_DB, "bench_user", LIST_REWRITE, LIST_NO_MATCH, self.args.repeats,
                                        "list rewrite no-match search")
        same = self.same_listing(queries["list"])
        self.experiment_row("list, + LATERAL rewrite", rewritten, after_initplan["list"])
        self.print_plan("list search with no match, original SQL", original_search)
        self.experiment_row("list search with no match, + LATERAL rewrite", rewritten_search, original_search)
        self.notes.append(f"the LATERAL rewrite of list returned the same rows as Browsing.swift's SQL for "
                          f"{same[0]} of {same[1]} parameter sets (tag, search, --mine, limit)")
        say(f"  list rewrite: {rewritten['execution']:.1f} ms; no-match search {rewritten_search['execution']:.1f} ms "
            f"(original {original_search['execution']:.1f})")

        # 3. stats: sessions and attempts carry the workshop owner and learner; their policies compare columns.
        if not self.args.skip_denormalised:
            started = time.perf_counter()
            self.apply(SCALE_DB, DENORMALISED_SCHEMA)
            self.apply(SCALE_DB, DENORMALISED_DATA, role=self.superuser)   # forced RLS: the owner would update no row
            self.apply(SCALE_DB, ["VACUUM ANALYZE nalabo.workshop_sessions", "VACUUM ANALYZE nalabo.challenge_attempts"])
            say(f"  denormalised owner/learner columns set up in {time.perf_counter() - started:.1f} s")
            for name in ("stats totals, popular", "stats challenges, popular"):
                query, params = cases[name]
                measured = self.explain(SCALE_DB, "bench_user", queries[query], params, self.args.repeats, name + " denormalised")
                self.experiment_row(f"{name}, + owner/learner columns", measured, after_initplan[name])
                if name == "stats challenges, popular":
                    after_columns = measured
            # 4. ... and a covering index, so attempts are read by an index-only scan.
            self.apply(SCALE_DB, COVERING_INDEX)
            query, params = cases["stats challenges, popular"]
            measured = self.explain(SCALE_DB, "bench_user", queries[query], params, self.args.repeats,
                                    "stats challenges popular covering")
            self.experiment_row("stats challenges, popular, + covering index", measured, after_columns)

    def same_listing(self, original):
        connection = self.connect(SCALE_DB, "bench_user")
        cursor = connection.cursor()
        cursor.execute("PREPARE a AS " + original)
        cursor.execute("PREPARE b AS " + LIST_REWRITE)
        sets = [LIST_ALL, LIST_NO_MATCH, ("linux", None, "false", "500"), (None, "%network%", "false", "500"),
                (None, None, "true", "500"), ("git", "%basics%", "false", "50"), (None, None, "false", "20000")]
        same = 0
        for params in sets:
            cursor.execute("EXECUTE a(%s, %s, %s, %s)", params)
            a = cursor.fetchall()
            cursor.execute("EXECUTE b(%s, %s, %s, %s)", params)
            same += a == cursor.fetchall()
        connection.close()
        return same, len(sets)

    def apply(self, database, statements, role=OWNER):
        """Runs statements one by one in autocommit, as the catalogue owner unless told otherwise."""
        connection = self.connect(database, role)
        connection.autocommit = True
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        connection.close()

    # --- report ------------------------------------------------------------------------------------------

    def table(self):
        header = ("metric", "value", "baseline", "ratio / target", "verdict")
        rows = [header] + self.rows
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        print()
        for k, row in enumerate(rows):
            print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if k == 0:
                print("  ".join("-" * w for w in widths))
        if any(row[4].endswith("*") for row in self.rows):
            print("* indented rows: a candidate change tried in the benchmark database only (cumulative, in order); "
                  "not in Sources")
        for note in self.notes:
            print(f"note: {note}")


def cpu_busy(seconds=1.0):
    """Cores kept busy over `seconds`, from /proc/stat (everything but idle and iowait)."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return None
    return (os.cpu_count() or 1) * (1 - (idle1 - idle0) / max(1, total1 - total0))


TARGET_MS = 50.0
LIST_ALL = (None, None, "false", "500")            # `nalabo catalogue list`: no tag, no search, not --mine, limit 500
LIST_NO_MATCH = (None, "%no such workshop%", "false", "500")   # a search that matches nothing: every row is looked at

# Candidate changes, applied as the catalogue owner in the benchmark databases only (never in Sources).
READ_POLICIES_INITPLAN = [   # the same conditions, with is_admin(current_user) as a scalar subquery
    "ALTER POLICY users_read ON nalabo.users USING ((SELECT nalabo.is_admin(current_user)) OR db_role = current_user)",
    """ALTER POLICY workshops_read ON nalabo.workshops
       USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)))""",
    """ALTER POLICY versions_read ON nalabo.workshop_versions
       USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)))""",
    """ALTER POLICY challenges_read ON nalabo.challenges
       USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)))""",
    """ALTER POLICY sessions_read ON nalabo.workshop_sessions
       USING ((SELECT nalabo.is_admin(current_user)) OR learner_id = (SELECT nalabo.user_id(current_user))
              OR EXISTS (SELECT 1 FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                         WHERE v.id = version_id AND w.owner_id = (SELECT nalabo.user_id(current_user))))""",
    """ALTER POLICY audit_read ON nalabo.audit_events
       USING ((SELECT nalabo.is_admin(current_user)) OR actor_id = (SELECT nalabo.user_id(current_user)))""",
]
PLPGSQL_HELPERS = [
    """CREATE OR REPLACE FUNCTION nalabo.user_id(caller name) RETURNS bigint
           LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
           AS $$ BEGIN RETURN (SELECT id FROM nalabo.users WHERE db_role = caller AND NOT disabled); END $$""",
    """CREATE OR REPLACE FUNCTION nalabo.is_owner(caller name) RETURNS boolean
           LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
           AS $$ BEGIN RETURN (SELECT caller = pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'nalabo'); END $$""",
    """CREATE OR REPLACE FUNCTION nalabo.is_admin(caller name) RETURNS boolean
           LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
           AS $$ BEGIN RETURN nalabo.is_owner(caller) OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = caller
                  AND NOT disabled AND role IN ('admin', 'super_admin')); END $$""",
    """CREATE OR REPLACE FUNCTION nalabo.is_super_admin(caller name) RETURNS boolean
           LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
           AS $$ BEGIN RETURN nalabo.is_owner(caller) OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = caller
                  AND NOT disabled AND role = 'super_admin'); END $$""",
]
PUBLISH_EXPERIMENTS = [
    ("is_admin InitPlan in read policies", READ_POLICIES_INITPLAN),
    ("+ PL/pgSQL helpers", PLPGSQL_HELPERS),
]
# Sorts (handle, slug) of the workshops first and takes each one's newest matching version through the
# workshop_versions_newest index, so that only about LIMIT versions are read. Same parameters and rows.
LIST_REWRITE = """
SELECT w.handle, w.slug, v.version, v.title, v.summary, v.tags, v.published_at
FROM (SELECT w.id, w.slug, h.handle
      FROM nalabo.workshops w JOIN nalabo.handles() h ON h.id = w.owner_id
      WHERE (NOT $3::boolean OR w.owner_id = nalabo.user_id(current_user))
      ORDER BY h.handle, w.slug) w
CROSS JOIN LATERAL (
    SELECT v.version, v.title, v.summary, v.tags, v.published_at
    FROM nalabo.workshop_versions v
    WHERE v.workshop_id = w.id AND v.yanked_at IS NULL
      AND ($1::text IS NULL OR $1 = ANY (v.tags))
      AND ($2::text IS NULL OR v.title ILIKE $2 OR v.summary ILIKE $2 OR w.slug ILIKE $2)
    ORDER BY v.version_order DESC
    LIMIT 1) v
ORDER BY w.handle, w.slug
LIMIT $4"""
# The workshop's owner on sessions and attempts, and the learner on attempts (a migration would fill them on
# insert); the read policies then compare columns with InitPlans instead of running a subplan per row.
DENORMALISED_SCHEMA = [
    "ALTER TABLE nalabo.workshop_sessions ADD COLUMN workshop_owner_id bigint",
    "ALTER TABLE nalabo.challenge_attempts ADD COLUMN learner_id bigint, ADD COLUMN workshop_owner_id bigint",
    """ALTER POLICY sessions_read ON nalabo.workshop_sessions USING ((SELECT nalabo.is_admin(current_user))
       OR learner_id = (SELECT nalabo.user_id(current_user)) OR workshop_owner_id = (SELECT nalabo.user_id(current_user)))""",
    """ALTER POLICY attempts_read ON nalabo.challenge_attempts USING ((SELECT nalabo.is_admin(current_user))
       OR learner_id = (SELECT nalabo.user_id(current_user)) OR workshop_owner_id = (SELECT nalabo.user_id(current_user)))""",
]
DENORMALISED_DATA = [
    """UPDATE nalabo.workshop_sessions s SET workshop_owner_id = w.owner_id
       FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id WHERE v.id = s.version_id""",
    """UPDATE nalabo.challenge_attempts a SET learner_id = s.learner_id, workshop_owner_id = s.workshop_owner_id
       FROM nalabo.workshop_sessions s WHERE s.id = a.session_id""",
]
COVERING_INDEX = [
    """CREATE INDEX challenge_attempts_stats ON nalabo.challenge_attempts (session_id)
       INCLUDE (challenge, attempted_at, passed, skipped, learner_id, workshop_owner_id)""",
    "VACUUM ANALYZE nalabo.challenge_attempts",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nalabo", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--count", type=int, default=1000, help="workshops published in part 1")
    ap.add_argument("--workshops", type=int, default=10_000, help="workshops in the scale catalogue")
    ap.add_argument("--sessions", type=int, default=100_000, help="sessions in the scale catalogue")
    ap.add_argument("--target-sessions", type=int, default=5000, help="sessions of the stats target")
    ap.add_argument("--runs", type=int, default=3, help="library-path and floor runs (best of)")
    ap.add_argument("--repeats", type=int, default=5, help="EXPLAIN and CLI repeats (median of)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--try-changes", action="store_true", help="try the candidate changes even when targets are met")
    ap.add_argument("--skip-denormalised", action="store_true",
                    help="skip the slowest candidate change (owner/learner columns on sessions and attempts)")
    args = ap.parse_args()
    started = time.perf_counter()
    busy = cpu_busy()
    bench = Bench(args)
    bench.setup()
    arguments = bench.part1()
    bench.part2(arguments)
    bench.notes.append(f"whole run {time.perf_counter() - started:.0f} s (cluster start and clean-up not included); "
                       f"plans in {os.path.join(args.work, 'plans')} (kept with --keep)")
    busy_after = cpu_busy()
    if busy is not None and busy_after is not None:
        loaded = " -- numbers are inflated, rerun on a quiet machine" if max(busy, busy_after) > 0.3 else ""
        bench.notes.append(f"other processes kept {busy:.1f} of {os.cpu_count()} cores busy before the run and "
                           f"{busy_after:.1f} after it{loaded}")
    bench.table()
    sys.exit(1 if args.strict and bench.missed else 0)


if __name__ == "__main__":
    main()
