#!/bin/sh
# Runs in the client: passes when /root/server-ip.txt holds an IP address of
# the container called "server".
f=/root/server-ip.txt
if [ ! -s "$f" ]; then
  echo "FAIL: $f does not exist yet, or it is empty."
  exit 1
fi
ip=$(tr -d '[:space:]' < "$f")
if getent ahosts server | cut -d' ' -f1 | grep -qxF -- "$ip"; then
  echo "OK: the server lives at $ip."
  exit 0
fi
echo "FAIL: '$ip' is not an address of the container 'server'."
echo "FAIL: write only the address, for example 172.18.0.2, without the name."
exit 1
