#!/bin/sh
# Runs in the client: passes when a TCP connection to server:8080 succeeds.
# (bash can open TCP connections through its /dev/tcp/HOST/PORT files.)
if timeout 5 bash -c 'exec 3<>/dev/tcp/server/8080' 2>/dev/null; then
  echo "OK: the client can reach server:8080."
  exit 0
fi
echo "FAIL: the client cannot connect to server:8080."
echo "FAIL: is the server running, and listening on all interfaces rather than only on 127.0.0.1?"
exit 1
