#!/bin/sh
# Passes when grandma has been merged into main with a real merge commit, the
# conflict is resolved, and the sugar line combines both versions.
cd /root/recipes 2>/dev/null || { echo "FAIL: /root/recipes is missing."; exit 1; }
want='- Sugar: 1 tablespoon of honey and a pinch of cinnamon'

if [ -f .git/MERGE_HEAD ]; then
  if [ -n "$(git ls-files -u)" ]; then
    echo "FAIL: a merge is in progress and has unresolved conflicts (see git status)."
    echo "FAIL: fix the files, git add them, then git commit --no-edit."
  else
    echo "FAIL: the conflict is resolved but the merge is not committed yet: git commit --no-edit"
  fi
  exit 1
fi
if ! git rev-parse --verify -q refs/heads/grandma >/dev/null; then
  echo "FAIL: the branch grandma is gone. Did you delete it? Please keep it."
  exit 1
fi
if ! git merge-base --is-ancestor grandma main; then
  echo "FAIL: grandma is not merged into main yet."
  exit 1
fi
if [ -z "$(git rev-list --merges grandma..main)" ]; then
  echo "FAIL: main contains grandma's commit, but there is no merge commit."
  echo "FAIL: commit your own sugar change on main first, then merge grandma, so the histories really diverge."
  exit 1
fi
if git show main:pancakes.md | grep -qE '^(<<<<<<<|=======|>>>>>>>)'; then
  echo "FAIL: pancakes.md on main still contains conflict markers (<<<<<<<, =======, >>>>>>>)."
  exit 1
fi
if ! git show main:pancakes.md | grep -qxF -- "$want"; then
  echo "FAIL: the committed pancakes.md on main should contain exactly this line:"
  echo "FAIL:   $want"
  exit 1
fi
echo "OK: conflict resolved. Grandma approves."
