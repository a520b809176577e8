#!/bin/sh
# Passes when an unknown path answers 404 with the JSON {"error": "not found"}.
exec python3 - <<'PY'
import json
import sys
import urllib.error
import urllib.request

def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)

path = "/no-such-page"
try:
    with urllib.request.urlopen("http://127.0.0.1:8080" + path, timeout=3) as resp:
        fail(f"GET {path} answered with status {resp.status}; a path that does not exist should get 404.")
except urllib.error.HTTPError as err:
    status, ctype, body = err.code, err.headers.get("Content-Type", ""), err.read()
except Exception as err:
    fail(f"nothing answers on port 8080 ({getattr(err, 'reason', err)}). Is app.py running? See /tmp/app.log.")

if status != 404:
    fail(f"GET {path} answered with status {status}, expected 404.")
if not ctype.startswith("application/json"):
    fail(f"the 404 answer should be JSON (Content-Type: application/json), not {ctype!r}.")
try:
    data = json.loads(body)
except ValueError:
    fail(f"the 404 answer is not valid JSON: {body[:80]!r}")
if not isinstance(data, dict) or data.get("error") != "not found":
    fail(f'the 404 answer should be {{"error": "not found"}}, got {data!r}.')
print("OK: even your errors speak JSON now.")
PY
