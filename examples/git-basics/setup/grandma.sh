#!/bin/sh
# Challenge setup for resolve-conflict: Grandma commits her own version of the
# sugar line on a new branch called `grandma`, starting from main.
# Does nothing if the branch already exists.
set -eu
cd /root/recipes

if git rev-parse --verify -q refs/heads/grandma >/dev/null; then
  exit 0
fi

line='- Sugar: 2 tablespoons and a pinch of cinnamon'
wt=$(mktemp -d)
git worktree add -q -b grandma "$wt" main
sed -i "s/^- Sugar:.*/$line/" "$wt/pancakes.md"
if git -C "$wt" diff --quiet; then
  # Somebody removed the sugar line; Grandma adds hers anyway.
  echo "$line" >> "$wt/pancakes.md"
fi
git -C "$wt" -c user.name=Grandma -c user.email=grandma@example.com \
  commit -q -am "More sugar, and Grandma's secret: cinnamon"
git worktree remove --force "$wt"
echo "Grandma pushed a commit to the branch 'grandma'."
