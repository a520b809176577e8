#!/bin/sh
# Runs in the server: passes when port 8080 serves a page that says
# "Hello from the server".
exec python3 - <<'PY'
import sys
import urllib.error
import urllib.request

def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)

try:
    with urllib.request.urlopen("http://127.0.0.1:8080/", timeout=3) as resp:
        body = resp.read().decode("utf-8", "replace")
except urllib.error.HTTPError as err:
    fail(f"port 8080 answered GET / with status {err.code}.")
except Exception as err:
    fail(f"nothing answers on port 8080 of the server ({getattr(err, 'reason', err)}).")

if "hello from the server" not in body.lower():
    if "Directory listing" in body:
        fail("GET / shows a directory listing: is index.html in /srv/www, and does the server run there?")
    fail("GET / should return a page containing 'Hello from the server'.")
print("OK: the server answers on port 8080.")
PY
