#!/bin/sh
# Passes when /root/reports/errors.log holds exactly the ERROR lines of the
# application log, in their original order.
log=/srv/lab/logs/app.log
out=/root/reports/errors.log

if [ ! -d /root/reports ]; then
  echo "FAIL: the directory /root/reports does not exist yet."
  exit 1
fi
if [ ! -f "$out" ]; then
  echo "FAIL: $out does not exist yet. Redirect your command's output into it with >"
  exit 1
fi

want=$(grep -c ' ERROR ' "$log")
have=$(wc -l < "$out")
stray=$(grep -v ' ERROR ' "$out" | head -n 1)
if [ -n "$stray" ]; then
  echo "FAIL: errors.log contains a line that is not an ERROR line:"
  echo "FAIL:   $stray"
  echo "FAIL: (grep is case-sensitive by default; grep -i would also match 'error'.)"
  exit 1
fi
if [ "$(grep ' ERROR ' "$log" | cksum)" != "$(cksum < "$out")" ]; then
  echo "FAIL: errors.log has $have lines; it should hold all $want ERROR lines of app.log, in order."
  exit 1
fi
echo "OK: all $want ERROR lines are in errors.log."
