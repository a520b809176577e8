#!/bin/sh
# Gives git an identity and lays out a small recipe collection that is not
# under version control yet. Runs once when the workshop starts; safe to rerun.
set -eu

cfg=/root/.gitconfig
git config --file "$cfg" user.name "Ada Learner"
git config --file "$cfg" user.email "ada@example.com"
git config --file "$cfg" init.defaultBranch main
# This slim image has no pager (less) and no text editor: print logs directly.
# (GIT_MERGE_AUTOEDIT=no in the container's env stops `git merge` from
# opening an editor for its message.)
git config --file "$cfg" core.pager cat

mkdir -p /root/recipes
cd /root/recipes

if [ ! -e README.md ]; then
  cat > README.md <<'EOF'
# Family recipes

Tried and tested, passed down and occasionally improved.
EOF
fi

if [ ! -e pancakes.md ]; then
  cat > pancakes.md <<'EOF'
# Pancakes

Serves 4.

## Ingredients

- Flour: 200 g
- Milk: 300 ml
- Eggs: 2
- Sugar: 1 tablespoon
- Salt: a pinch

## Method

1. Whisk everything into a smooth batter.
2. Let it rest for 10 minutes.
3. Fry in a hot buttered pan, about 1 minute per side.
EOF
fi
