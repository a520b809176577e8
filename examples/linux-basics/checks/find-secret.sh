#!/bin/sh
# Passes when /root/password.txt holds the password hidden in the maze.
secret=/srv/lab/maze/east/cellar/.secret
answer=/root/password.txt

if [ ! -f "$answer" ]; then
  echo "FAIL: /root/password.txt does not exist yet."
  exit 1
fi
expected=$(sed -n 's/^password: //p' "$secret")
given=$(tr -d '[:space:]' < "$answer")
given=${given#password:}
if [ -z "$given" ]; then
  echo "FAIL: /root/password.txt is empty. Put the password in it."
  exit 1
fi
if [ "$given" != "$expected" ]; then
  echo "FAIL: '$given' is not the password. Keep exploring the maze!"
  exit 1
fi
echo "OK: '$given' is the password."
