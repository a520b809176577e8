#!/bin/sh
# shellcheck shell=sh
# Adds the session's other members to /etc/hosts (Kubernetes, where cluster DNS may be missing): each
# argument pair ADDRESS NAME becomes a line, unless the name is there already. Needs a writable /etc/hosts.
while [ $# -ge 2 ]; do
  found=0
  while read -r address names; do
    for name in $names; do [ "$name" = "$2" ] && found=1; done
    : "$address"
  done < /etc/hosts
  [ $found = 1 ] || printf '%s\t%s\n' "$1" "$2" >> /etc/hosts
  shift 2
done
