#!/bin/sh
# Passes when /root/projects/hello holds a README.md starting with "# Hello"
# and an exact copy of /srv/lab/templates/LICENSE.
dir=/root/projects/hello
status=0

if [ ! -d "$dir" ]; then
  echo "FAIL: the directory $dir does not exist yet. mkdir -p can create it (and its parents)."
  exit 1
fi

if [ ! -f "$dir/README.md" ]; then
  echo "FAIL: $dir/README.md is missing."
  status=1
else
  first=$(head -n 1 "$dir/README.md" | sed 's/[[:space:]]*$//')
  if [ "$first" != "# Hello" ]; then
    echo "FAIL: the first line of README.md is '$first' but should be: # Hello"
    status=1
  fi
fi

if [ ! -f "$dir/LICENSE" ]; then
  echo "FAIL: $dir/LICENSE is missing. Copy it from /srv/lab/templates with cp."
  status=1
elif [ "$(cksum < "$dir/LICENSE")" != "$(cksum < /srv/lab/templates/LICENSE)" ]; then
  echo "FAIL: $dir/LICENSE is not an exact copy of /srv/lab/templates/LICENSE."
  status=1
fi

[ "$status" -eq 0 ] && echo "OK: the project looks great."
exit "$status"
