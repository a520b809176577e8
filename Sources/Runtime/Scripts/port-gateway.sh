#!/bin/sh
# shellcheck shell=sh
# The port gateway of an isolated Docker session (busybox): each argument triple GATEWAY-PORT ADDRESS PORT
# relays a published gateway port to a member's port (busybox's static nc does not resolve names).
while [ $# -ge 3 ]; do
  nc -ll -p "$1" -e nc "$2" "$3" &
  shift 3
done
wait
