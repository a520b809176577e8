#!/usr/bin/python3
"""Portal load, measured side by side in one run (Benchmarks/portal/run starts the portal and the catalogue).

  load.py start   BASE TOKEN WORKSHOP N [EVENT]  Start → terminal ready, N times (sequential), as JSON; within
                                                 EVENT when given (whose reserved labs Start then hands over)
  load.py learners BASE TOKENS_FILE WORKSHOP SECONDS   N learners (one token each) checking every 10 s and typing
                                                 into their terminal every second, their checks spread over the
                                                 10 s as a room's are; check latencies as JSON
  load.py burst   BASE TOKENS_FILE WORKSHOP SECONDS   the same, every learner checking at the same instant
  load.py idle    BASE TOKEN WORKSHOP N          N checks of one session on an otherwise idle portal

Loopback only: BASE must be http://127.0.0.1:PORT. Every wait is bounded.
"""
import asyncio
import concurrent.futures
import json
import statistics
import sys
import time
import urllib.request

import websockets

base = sys.argv[2]
assert base.startswith("http://127.0.0.1:"), "loopback only"


def call(method, path, token, body=None, timeout=120):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


async def acall(method, path, token, body=None):
    return await asyncio.to_thread(call, method, path, token, body)


async def terminal_ready(session, token, container):
    url = base.replace("http://", "ws://") + "/api/sessions/%s/terminal/%s?cols=80&rows=24" % (session, container)
    socket = await asyncio.wait_for(websockets.connect(url, extra_headers={"Authorization": "Bearer " + token}), 30)
    await asyncio.wait_for(socket.recv(), 30)   # the shell's first output: the prompt
    return socket


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values):
    return {"n": len(values), "median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


async def measure_start(token, workshop, count, event=None):
    times = []
    body = {"workshop": workshop} if event is None else {"workshop": workshop, "event": event}
    for _ in range(count):
        began = time.monotonic()
        session = await acall("POST", "/api/sessions", token, body)
        socket = await terminal_ready(session["id"], token, session["containers"][0]["name"])
        times.append(time.monotonic() - began)
        await socket.close()
        await acall("DELETE", "/api/sessions/" + session["id"], token)
    return summary(times)


async def learner(token, workshop, seconds, latencies, ready, go, offset):
    session = await acall("POST", "/api/sessions", token, {"workshop": workshop})
    socket = await terminal_ready(session["id"], token, session["containers"][0]["name"])
    challenge = session["steps"][0]["challenges"][0]["id"]
    # The class starts once every learner has a lab: starting 30 labs is not what is measured here.
    ready()
    await asyncio.wait_for(go.wait(), 600)
    deadline = time.monotonic() + seconds
    # Each learner's first check comes `offset` seconds into the class: spread over the period, as a room's are,
    # or all at once (offset 0) for the burst.
    next_check = time.monotonic() + offset
    try:
        while time.monotonic() < deadline:
            await socket.send(b"echo typing\n")
            try:
                while True:
                    await asyncio.wait_for(socket.recv(), 0.05)
            except asyncio.TimeoutError:
                pass
            if time.monotonic() >= next_check:
                began = time.monotonic()
                # Named, the challenge is graded again even when complete: every check runs its script.
                await acall("POST", "/api/sessions/%s/check" % session["id"], token, {"challenges": [challenge]})
                latencies.append(time.monotonic() - began)
                next_check += 10
            await asyncio.sleep(1)
    finally:
        await socket.close()
        await acall("DELETE", "/api/sessions/" + session["id"], token)


async def measure_learners(tokens, workshop, seconds, burst):
    # One client thread per learner, so that no request waits in this client (asyncio's default pool has
    # only a few threads, which would queue the checks here and count that as the portal's time).
    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=len(tokens) + 4))
    latencies = []
    go = asyncio.Event()
    started = []

    def ready():
        started.append(1)
        if len(started) == len(tokens):
            go.set()
    period = 10
    offsets = [0 if burst else period * i / len(tokens) for i in range(len(tokens))]
    await asyncio.wait_for(asyncio.gather(*(learner(t, workshop, seconds, latencies, ready, go, offset)
                                            for t, offset in zip(tokens, offsets))), seconds + 900)
    return summary(latencies)


async def measure_idle(token, workshop, count):
    session = await acall("POST", "/api/sessions", token, {"workshop": workshop})
    challenge = session["steps"][0]["challenges"][0]["id"]
    times = []
    try:
        for _ in range(count):
            began = time.monotonic()
            await acall("POST", "/api/sessions/%s/check" % session["id"], token, {"challenges": [challenge]})
            times.append(time.monotonic() - began)
    finally:
        await acall("DELETE", "/api/sessions/" + session["id"], token)
    return summary(times)


mode = sys.argv[1]
if mode == "start":
    event = sys.argv[6] if len(sys.argv) > 6 else None
    print(json.dumps(asyncio.run(measure_start(sys.argv[3], sys.argv[4], int(sys.argv[5]), event))))
elif mode == "idle":
    print(json.dumps(asyncio.run(measure_idle(sys.argv[3], sys.argv[4], int(sys.argv[5])))))
elif mode in ("learners", "burst"):
    tokens = [line.strip() for line in open(sys.argv[3]) if line.strip()]
    print(json.dumps(asyncio.run(measure_learners(tokens, sys.argv[4], int(sys.argv[5]), mode == "burst"))))
else:
    sys.exit("usage: see the docstring")
