#!/bin/sh
# Passes when GET /health on port 8080 answers 200 with the JSON {"status": "ok"}.
exec python3 - <<'PY'
import json
import sys
import urllib.error
import urllib.request

def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)

try:
    with urllib.request.urlopen("http://127.0.0.1:8080/health", timeout=3) as resp:
        ctype = resp.headers.get("Content-Type", "")
        body = resp.read()
except urllib.error.HTTPError as err:
    fail(f"GET /health answered with status {err.code}, expected 200.")
except Exception as err:
    fail(f"nothing answers on port 8080 ({getattr(err, 'reason', err)}). Is app.py running? See /tmp/app.log.")

if not ctype.startswith("application/json"):
    fail(f"GET /health should send the header Content-Type: application/json (it sent {ctype!r}).")
try:
    data = json.loads(body)
except ValueError:
    fail(f"GET /health did not return valid JSON: {body[:80]!r}")
if not isinstance(data, dict) or data.get("status") != "ok":
    fail(f'GET /health should return {{"status": "ok"}}, got {data!r}.')
print("OK: /health says ok.")
PY
