#!/bin/sh
# Runs in the client with API_PORT pointing at a closed port: passes when
# /root/ping-server.sh notices that nothing answers there.
s=/root/ping-server.sh
if [ ! -f "$s" ]; then
  echo "FAIL: $s does not exist yet."
  exit 1
fi
if [ ! -x "$s" ]; then
  echo "FAIL: $s is not executable yet (chmod +x)."
  exit 1
fi
out=$("$s" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "FAIL: with API_PORT=$API_PORT, where nothing listens, your script still exited with status 0."
  echo "FAIL: does it read the port from \$API_PORT?"
  exit 1
fi
case $out in
  *"server is down"*) ;;
  *)
    echo "FAIL: when nothing answers, the script should print 'server is down'. It printed: $out"
    exit 1
    ;;
esac
echo "OK: the script notices when the server is down."
