#!/bin/sh
# Reference solution for resolve-conflict.
set -eu
cd /root/recipes
git switch -q main

# 1. Our own change on main: honey instead of sugar.
sed -i 's/^- Sugar:.*/- Sugar: 1 tablespoon of honey/' pancakes.md
git commit -q -am "Sweeten the pancakes with honey"

# 2. Merging grandma now conflicts on the same line.
if git merge grandma; then
  echo "expected a merge conflict, but the merge went through" >&2
  exit 1
fi

# 3. Replace the whole conflict block with the line both sides agree on.
sed -i '/^<<<<<<< /,/^>>>>>>> /c\- Sugar: 1 tablespoon of honey and a pinch of cinnamon' pancakes.md
git add pancakes.md
git commit -q --no-edit
git log --oneline --graph -n 5
