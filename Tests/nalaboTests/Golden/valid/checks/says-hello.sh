#!/bin/sh
# Passes when ~/hello.txt mentions "hello", in any case.
if ! grep -qi hello /root/hello.txt 2>/dev/null; then
  echo "FAIL: ~/hello.txt does not contain the word hello"
  exit 1
fi
