#!/bin/sh
# Passes when GET /hello greets the name given in ?name=..., or the world.
exec python3 - <<'PY'
import json
import sys
import urllib.error
import urllib.request

def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)

cases = [
    ("/hello?name=Ada", "Hello, Ada!"),
    ("/hello?name=Grace%20Hopper", "Hello, Grace Hopper!"),
    ("/hello", "Hello, world!"),
]
for path, want in cases:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080" + path, timeout=3) as resp:
            body = resp.read()
    except urllib.error.HTTPError as err:
        fail(f"GET {path} answered with status {err.code}, expected 200.")
    except Exception as err:
        fail(f"nothing answers on port 8080 ({getattr(err, 'reason', err)}). Is app.py running? See /tmp/app.log.")
    try:
        data = json.loads(body)
    except ValueError:
        fail(f"GET {path} did not return valid JSON: {body[:80]!r}")
    got = data.get("message") if isinstance(data, dict) else None
    if got != want:
        fail(f'GET {path} should return {{"message": "{want}"}}, got {data!r}.')
print("OK: /hello greets everybody.")
PY
