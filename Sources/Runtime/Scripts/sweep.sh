#!/bin/sh
# shellcheck shell=sh
# Kills every process of a run ($1: its id) when the watchdog itself did not answer in time.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  found=$(grep -l "NALABO_RUN=$1" /proc/[0-9]*/environ 2>/dev/null)
  [ -n "$found" ] || break
  for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null; done
  for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
done
