#!/bin/sh
# shellcheck shell=sh
# Prints how many processes of this container the kernel killed for memory (cgroup v2, then v1); nothing
# when neither counter is readable.
for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
  [ -r "$f" ] || continue
  while read -r key value; do [ "$key" = oom_kill ] && { echo "$value"; exit 0; }; done < "$f"
done
