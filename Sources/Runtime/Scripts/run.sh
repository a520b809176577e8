#!/bin/sh
# shellcheck shell=sh
# The wrapper every script nalabo runs in a container goes through (Grading/ScriptWrapper.swift documents
# its arguments). Runs as `sh -c "$(cat sweep.sh run.sh)" nalabo-run ID LIMIT SWEEP CHUNKS... WORDS...`
# (sweep.sh defines nalabo_sweep). Once the script runs the wrapper never forks: at the PID limit a failed
# fork would end it.
id=$1 limit=$2 sweep=$3 chunks=$4
shift 4
script=
while [ "$chunks" -gt 0 ]; do script=$script$1; shift; chunks=$((chunks - 1)); done
words=$1
shift
# Keep exactly the interpreter's words: `set -- "${1}" "${2}"...`, naming the parameters, never their text.
list='' j=1
while [ $j -le "$words" ]; do list="$list \"\${$j}\""; j=$((j + 1)); done
eval "set -- $list"
# Sets $oom_kills from the cgroup's counter; builtins only, no subshell (every fork costs the container).
nalabo_ooms() {
  oom_kills=0
  for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    [ -r "$f" ] || continue
    while read -r key value; do [ "$key" = oom_kill ] && { oom_kills=$value; return; }; done < "$f"
  done
}
# Markers go last on stderr, or to fd 9 when the batch opened it (its files are size-capped).
marks=2
{ true >&9; } 2>/dev/null && marks=9
nalabo_run() { printf '%s' "$script" | NALABO_RUN=$id "$@" /dev/fd/3 3<&0 </dev/null 9>&-; }
nalabo_ooms
ooms=$oom_kills
# The watchdog starts first: once the script runs, a fork bomb may leave no process to start with.
(
  # $! rather than a variable: a TERM between starting the timer and storing its pid still finds it. The
  # timer holds none of the exec's output streams, so a stray one could never keep the exec open.
  trap 'kill $! 2>/dev/null; exit 0' TERM
  # shellcheck disable=SC2217 # no stream of the exec may stay open in the timer
  sleep "$limit" </dev/null >/dev/null 2>&1 &
  wait $!
  # The limit passed: nothing may cut the sweep short now, not even the script ending meanwhile.
  trap '' TERM
  nalabo_sweep "$id"
  exit 3
) &
watchdog=$!
nalabo_run "$@" &
child=$!
# The shell's own job notices ("Killed") are not the script's output.
wait $child 2>/dev/null
status=$?
kill $watchdog 2>/dev/null
# A watchdog killed before it set its trap makes the shell say "Terminated": not the script's output either.
wait $watchdog 2>/dev/null
watched=$?
[ "$sweep" = 1 ] && nalabo_sweep "$id"
nalabo_ooms
[ "$oom_kills" != "$ooms" ] && echo "nalabo:oom:$id" >&$marks
[ "$watched" = 3 ] && { echo "nalabo:timeout:$id" >&$marks; exit 124; }
exit $status
