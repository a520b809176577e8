#!/bin/sh
# Reference solution for start-server (runs in the server container).
set -eu
mkdir -p /srv/www
printf '<!doctype html>\n<h1>Hello from the server</h1>\n' > /srv/www/index.html
cd /srv/www
setsid nohup python3 -m http.server 8080 >/tmp/server.log 2>&1 </dev/null &

i=0
until python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/", timeout=1)' 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -ge 50 ]; then
    echo "the server did not come up; see /tmp/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "serving /srv/www on port 8080"
