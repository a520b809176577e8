#!/bin/sh
# Passes when port 8000 serves exactly /srv/app/public/index.html at "/".
exec python3 - <<'PY'
import sys
import urllib.error
import urllib.request

def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)

try:
    with open("/srv/app/public/index.html", "rb") as f:
        want = f.read()
except OSError:
    fail("/srv/app/public/index.html is missing.")

try:
    with urllib.request.urlopen("http://127.0.0.1:8000/", timeout=3) as resp:
        body = resp.read()
except urllib.error.HTTPError as err:
    fail(f"port 8000 answered GET / with status {err.code}.")
except Exception as err:
    fail(f"nothing answers on port 8000 ({getattr(err, 'reason', err)}). Is the server running?")

if body != want:
    if b"Directory listing" in body:
        fail("port 8000 shows a directory listing instead of your page: "
             "start the server inside /srv/app/public (or use --directory).")
    fail("the page served on port 8000 is not /srv/app/public/index.html.")
print("OK: your page is on the web (well, on port 8000).")
PY
