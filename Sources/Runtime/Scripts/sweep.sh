#!/bin/sh
# shellcheck shell=sh
# Defines nalabo_sweep ID: stop, then kill, every process whose environment carries NALABO_RUN=ID, repeated
# while a fork bomb keeps making more. The wrapper (run.sh) is appended to this text; alone (the script
# runner's `sweepCommand`, when the watchdog did not answer in time) the call is appended instead.
#
# A shell that fails to fork exits, so nothing here may fork where that can fail: near the container's PID
# limit, and once something had to be killed (what is left of a fork bomb refills the room between a look at
# the limit and a fork), processes are found with builtins only; otherwise with one grep (faster).

# Sets $room: how many more processes the container's PID limit allows; 0 when the container cannot tell
# (on Kubernetes the limit is the Pod's, and the container's pids.max reads "max"), so that builtins are used.
nalabo_room() {
  room=0
  for d in /sys/fs/cgroup /sys/fs/cgroup/pids; do
    if [ ! -r "$d/pids.max" ] || [ ! -r "$d/pids.current" ]; then continue; fi
    if ! read -r max <"$d/pids.max" || ! read -r current <"$d/pids.current"; then return 0; fi
    case $max$current in *[!0-9]*) return 0 ;; esac
    room=$((max - current))
    return 0
  done
}

# Sets $found to the /proc/PID/environ paths of the run's processes, stopped, $running to how many of them
# were still running, and $searched to 0 (some found), 1 (none found) or 2 (grep could not read some files).
# $2 is 1 when only builtins may be used.
nalabo_find() {
  nalabo_room
  if [ "$2" = 0 ] && [ "$room" -gt 16 ]; then
    found=$(grep -l "NALABO_RUN=$1" /proc/[0-9]*/environ 2>/dev/null)
    searched=$?
    running=0
    for f in $found; do f=${f#/proc/}; kill -STOP "${f%/environ}" 2>/dev/null && running=$((running + 1)); done
    return 0
  fi
  # Builtins only: `read` drops the NUL bytes between variables, so each line holds whole variables. Each
  # process is stopped as soon as it is found, so what is left of a fork bomb shrinks with every one.
  found='' searched=1 running=0
  for f in /proc/[0-9]*/environ; do
    [ -r "$f" ] || continue
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in *"NALABO_RUN=$1"*) found="$found $f" searched=0; break ;; esac
    done 2>/dev/null <"$f"
    case $found in *" $f") ;; *) continue ;; esac
    # The state follows the command's name in parentheses (which may hold anything, hence the last ") ").
    state=R
    read -r stat 2>/dev/null <"${f%/environ}/stat" && state=${stat##*) } && state=${state%% *}
    # T: stopped; t: stopped under a tracer, where a STOP does not move it on.
    case $state in T|t) ;; *) running=$((running + 1)) ;; esac
    p=${f#/proc/}
    kill -STOP "${p%/environ}" 2>/dev/null
  done
}

nalabo_sweep() {
  passes=0 failures=0 forkless=0 still=0
  while [ $passes -lt 100 ]; do
    passes=$((passes + 1))
    nalabo_find "$1" $forkless
    # Done when the search ran and found nothing. A failed one (as a non-root user some environ files are
    # unreadable) is retried a few times.
    if [ -z "$found" ]; then
      [ $searched -eq 1 ] && return 0
      failures=$((failures + 1))
      [ $failures -ge 5 ] && return 0
      continue
    fi
    forkless=1
    # Killed only once two passes in a row found all of them stopped already: each kill frees room that a
    # running one would fill again, and a stop takes effect late (after a fork in progress, whose child the
    # pass that saw its parent stopped may have missed; the next one would see it).
    if [ $running -gt 0 ]; then still=0; continue; fi
    still=$((still + 1))
    [ $still -lt 2 ] && continue
    for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
  done
  # The passes ran out with some never seen stopped (one in uninterruptible sleep, say): kill what is left.
  nalabo_find "$1" 1
  for f in $found; do f=${f#/proc/}; kill -KILL "${f%/environ}" 2>/dev/null; done
}
