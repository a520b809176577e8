#!/bin/sh
# shellcheck shell=sh
# Kills every process of a run ($1: its id) when the watchdog itself did not answer in time. Like the wrapper's
# own sweep: stop, then kill, repeated while a fork bomb keeps making more; done only when grep ran and found
# nothing (status 1). At the PID limit grep may not even start: that is retried, not taken for "none left".
passes=0 failures=0
while [ $passes -lt 100 ]; do
  passes=$((passes + 1))
  found=$(grep -l "NALABO_RUN=$1" /proc/[0-9]*/environ 2>/dev/null)
  searched=$?
  if [ -z "$found" ]; then
    [ $searched -eq 1 ] && exit 0
    failures=$((failures + 1))
    [ $failures -ge 20 ] && exit 0
    continue
  fi
  for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null; done
  for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
done
