#!/bin/sh
# Prepares /srv/app and installs `fetch`, a tiny stand-in for curl (this slim
# Python image has no curl or wget). Runs once; safe to run again.
set -eu

mkdir -p /srv/app/public

cat > /usr/local/bin/fetch <<'PY'
#!/usr/bin/env python3
"""fetch - a tiny stand-in for curl.

usage: fetch [-i] URL
  -i   also print the status line and the response headers
"""
import signal
import sys
import urllib.error
import urllib.request

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `fetch URL | head` must not crash

args = sys.argv[1:]
show_headers = "-i" in args
urls = [a for a in args if a != "-i"]
if len(urls) != 1:
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
url = urls[0] if "://" in urls[0] else "http://" + urls[0]

try:
    resp = urllib.request.urlopen(url, timeout=5)
except urllib.error.HTTPError as err:
    resp = err  # an error response still has a status, headers and a body
except (urllib.error.URLError, OSError) as err:
    print(f"fetch: cannot reach {url}: {getattr(err, 'reason', err)}", file=sys.stderr)
    sys.exit(7)

if show_headers:
    raw = resp if hasattr(resp, "version") else getattr(resp, "fp", None)
    version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(raw, "version", None), "HTTP")
    print(f"{version} {resp.getcode()} {resp.reason}")
    for name, value in resp.headers.items():
        print(f"{name}: {value}")
    print()
body = resp.read()
sys.stdout.buffer.write(body)
if body and not body.endswith(b"\n"):
    sys.stdout.buffer.write(b"\n")
sys.exit(0 if resp.getcode() < 400 else 22)
PY
chmod 755 /usr/local/bin/fetch
