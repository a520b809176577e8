#!/bin/sh
# Reference solution for health: write app.py (GET /health) and (re)start it.
set -eu

cat > /srv/app/app.py <<'APP'
"""A tiny web service, built on Python's standard library only."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

PORT = 8080


class Handler(BaseHTTPRequestHandler):
    def send_json(self, status, payload):
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/health":
            self.send_json(200, {"status": "ok"})
        else:
            self.send_error(404)


if __name__ == "__main__":
    with open("/tmp/app.pid", "w") as f:
        f.write(str(os.getpid()))
    print(f"Listening on port {PORT}", flush=True)
    HTTPServer(("", PORT), Handler).serve_forever()
APP

# Stop the previous app.py, if any (app.py writes its own PID to /tmp/app.pid).
if [ -f /tmp/app.pid ]; then
  kill "$(cat /tmp/app.pid)" 2>/dev/null || true
fi
# Wait (at most 5 s) until the old server has let go of port 8080.
python3 - <<'PY'
import socket, time
for _ in range(50):
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 8080)) != 0:
            break
    time.sleep(0.1)
PY

cd /srv/app
setsid nohup python3 app.py >/tmp/app.log 2>&1 </dev/null &

# Wait (at most 10 s) until the new server answers.
python3 - <<'PY'
import time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://127.0.0.1:8080/health", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
else:
    raise SystemExit("app.py did not come up; see /tmp/app.log")
PY
echo "app.py is running on port 8080"
