#!/bin/sh
# Passes when main has at least one commit that contains README.md and
# pancakes.md.
cd /root/recipes 2>/dev/null || { echo "FAIL: /root/recipes is missing."; exit 1; }

if ! git rev-parse --verify -q refs/heads/main >/dev/null; then
  echo "FAIL: the branch main has no commits yet."
  echo "FAIL: stage your files with git add, then run git commit -m 'your message'."
  exit 1
fi

status=0
for f in README.md pancakes.md; do
  if ! git cat-file -e "main:$f" 2>/dev/null; then
    echo "FAIL: $f is not part of a commit on main yet. Did you git add it before committing?"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "OK: $(git rev-list --count main) commit(s) on main."
exit "$status"
