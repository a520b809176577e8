#!/bin/sh
# Passes when the branch add-soup exists and one of its commits added a
# non-empty soup.md.
cd /root/recipes 2>/dev/null || { echo "FAIL: /root/recipes is missing."; exit 1; }

if ! git rev-parse --verify -q refs/heads/add-soup >/dev/null; then
  echo "FAIL: there is no branch called add-soup. Create it with git switch -c add-soup"
  exit 1
fi
if ! git cat-file -e add-soup:soup.md 2>/dev/null; then
  if [ -e soup.md ]; then
    echo "FAIL: soup.md exists in the folder but is not committed on add-soup yet (git add, then git commit)."
  else
    echo "FAIL: the branch add-soup has no soup.md yet."
  fi
  exit 1
fi
if [ -z "$(git show add-soup:soup.md | tr -d '[:space:]')" ]; then
  echo "FAIL: soup.md on add-soup is empty. Give it a recipe title at least."
  exit 1
fi
echo "OK: add-soup has a soup recipe."
