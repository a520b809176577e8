#!/bin/sh
# Passes when /srv/app/public/index.html exists and has an <h1> heading.
f=/srv/app/public/index.html
if [ ! -f "$f" ]; then
  echo "FAIL: $f does not exist yet."
  exit 1
fi
if ! grep -qi '<h1' "$f"; then
  echo "FAIL: $f has no <h1> heading yet."
  exit 1
fi
echo "OK: index.html is ready."
