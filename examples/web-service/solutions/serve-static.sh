#!/bin/sh
# Reference solution for serve-static: serve /srv/app/public on port 8000.
set -eu
cd /srv/app/public
# setsid + nohup detach the server from this script, and the redirections
# make sure it holds no pipe open, so the script can return right away.
setsid nohup python3 -m http.server 8000 >/tmp/static.log 2>&1 </dev/null &

i=0
until python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/", timeout=1)' 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -ge 50 ]; then
    echo "the static server did not come up; see /tmp/static.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "serving /srv/app/public on port 8000"
