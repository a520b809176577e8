#!/bin/sh
# Runs in the client: passes when /root/ticket.txt holds exactly the body of
# http://server:8080/ticket.txt, without the HTTP headers.
f=/root/ticket.txt
if [ ! -s "$f" ]; then
  echo "FAIL: $f does not exist yet, or it is empty."
  exit 1
fi
if grep -q '^HTTP/' "$f"; then
  echo "FAIL: $f still contains the HTTP status line and headers. Keep only the body."
  exit 1
fi

live=$(timeout 5 bash -c '
  exec 3<>/dev/tcp/server/8080 || exit 1
  printf "GET /ticket.txt HTTP/1.0\r\nHost: server\r\n\r\n" >&3
  sed "1,/^\r*\$/d" <&3
') || live=""
if [ -z "$live" ]; then
  echo "FAIL: the check could not fetch http://server:8080/ticket.txt itself. Is the server still running?"
  exit 1
fi

given=$(tr -d '[:space:]' < "$f")
want=$(printf '%s' "$live" | tr -d '[:space:]')
if [ "$given" != "$want" ]; then
  echo "FAIL: $f holds '$given', but the server's ticket is different. Fetch it again?"
  exit 1
fi
echo "OK: you hold the right ticket."
