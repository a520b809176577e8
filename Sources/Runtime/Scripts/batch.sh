#!/bin/sh
# shellcheck shell=sh
# Runs several wrapped scripts in one exec (Grading/ScriptWrapper.swift, batchProgram).
single=$1 limit=$2 count=$3
shift 3
dir=$(mktemp -d /dev/shm/nalabo-XXXXXX 2>/dev/null) || dir=$(mktemp -d /tmp/nalabo-XXXXXX) || {
  echo "nalabo: cannot create a temporary directory" >&2; exit 125; }
chmod 700 "$dir"
trap 'rm -rf "$dir"' EXIT
i=0
while [ $i -lt "$count" ]; do
  n=$1
  shift
  # Files are capped (ulimit -f, with SIGXFSZ ignored writes past it fail) so a flood of output cannot fill
  # the container's memory or disk; the wrapper's markers go to a file of their own.
  (trap '' XFSZ; ulimit -f $(((limit * 2 + 1023) / 512)); exec /bin/sh -c "$single" nalabo-run "$@") \
    >"$dir/$i.out" 2>"$dir/$i.err" 9>"$dir/$i.marks" </dev/null &
  eval "pid_$i=\$!"
  shift "$n"
  i=$((i + 1))
done
i=0
while [ $i -lt "$count" ]; do
  eval "wait \$pid_$i" 2>/dev/null
  eval "status_$i=\$?"
  i=$((i + 1))
done
# Every size at once ("SIZE NAME" lines), read with builtins only.
# shellcheck disable=SC2046 # the words are wanted: SIZE NAME pairs
set -- $(cd "$dir" && wc -c -- *.out *.err)
while [ $# -ge 2 ]; do
  case $2 in *.out|*.err) name=${2%.*}_${2##*.}; eval "size_$name=$1" ;; esac
  shift 2
done
set --
i=0
while [ $i -lt "$count" ]; do
  for stream in out err; do
    size=0
    eval "size=\$size_${i}_$stream"
    if [ "$size" -gt "$limit" ]; then
      # Cut to the limit; the run is described by what is kept and the size it reached.
      head -c "$limit" "$dir/$i.$stream" >"$dir/cut"
      mv "$dir/cut" "$dir/$i.$stream"
      # shellcheck disable=SC2034 # read through eval below
      kept=$(wc -c <"$dir/$i.$stream")
      eval "kept_${i}_$stream=\$kept"
    else
      eval "kept_${i}_$stream=\$size"
    fi
  done
  timedout=0 oom=0
  while read -r mark; do
    case $mark in nalabo:timeout:*) timedout=1 ;; nalabo:oom:*) oom=1 ;; esac
  done <"$dir/$i.marks"
  eval "printf 'nalabo:frame:%s:%s:%s:%s:%s:%s:%s:%s\\n' $i \$status_$i \$size_${i}_out \$kept_${i}_out \$size_${i}_err \$kept_${i}_err $timedout $oom"
  set -- "$@" "$dir/$i.out" "$dir/$i.err"
  i=$((i + 1))
done
echo nalabo:data
cat -- "$@"
