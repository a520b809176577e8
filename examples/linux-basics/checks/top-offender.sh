#!/bin/sh
# Passes when /root/reports/top-offender.txt names the user with the most
# ERROR lines in the application log.
log=/srv/lab/logs/app.log
out=/root/reports/top-offender.txt

if [ ! -f "$out" ]; then
  echo "FAIL: $out does not exist yet."
  exit 1
fi

top_errors=$(grep ' ERROR ' "$log" | grep -o 'user=[a-z]*' | sort | uniq -c \
  | sort -rn | head -n 1 | sed 's/.*user=//')
top_overall=$(grep -o 'user=[a-z]*' "$log" | sort | uniq -c \
  | sort -rn | head -n 1 | sed 's/.*user=//')

given=$(tr -d '[:space:]' < "$out")
given=${given#user=}

if [ "$given" = "$top_errors" ]; then
  echo "OK: $given caused the most errors. Somebody call the payment team!"
  exit 0
fi
if [ -z "$given" ]; then
  echo "FAIL: $out is empty. Write just the username into it."
elif [ "$given" = "$top_overall" ]; then
  echo "FAIL: $given has the most log lines overall, but not the most ERROR lines."
  echo "FAIL: Filter the log with grep ERROR before counting."
else
  echo "FAIL: '$given' is not the user with the most ERROR lines."
  echo "FAIL: Write just the username (for example: dave), nothing else."
fi
exit 1
