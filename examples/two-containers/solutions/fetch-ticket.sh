#!/bin/sh
# Reference solution for fetch-ticket (runs in the client container): speak
# HTTP by hand over bash's /dev/tcp and keep only the body.
set -eu
bash -c '
  exec 3<>/dev/tcp/server/8080
  printf "GET /ticket.txt HTTP/1.0\r\nHost: server\r\n\r\n" >&3
  sed "1,/^\r\$/d" <&3
' > /root/ticket.txt
cat /root/ticket.txt
