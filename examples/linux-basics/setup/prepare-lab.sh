#!/bin/sh
# Builds the little world the learner explores in /srv/lab.
# Runs once when the workshop starts; safe to run again.
set -eu

lab=/srv/lab

# --- The maze: twelve rooms, one of them hides a secret --------------------
for wing in north south east west; do
  for room in attic cellar library; do
    mkdir -p "$lab/maze/$wing/$room"
    printf 'Nothing here but dust.\n' > "$lab/maze/$wing/$room/note.txt"
  done
done
printf 'A draught comes from the EAST wing...\n' > "$lab/maze/north/library/note.txt"
printf 'Cellars are dark. Some files are darker: they start with a dot.\n' \
  > "$lab/maze/south/cellar/note.txt"

secret="$lab/maze/east/cellar/.secret"
if [ ! -s "$secret" ]; then
  # A different password every session, so nobody can copy the answer.
  word=$(shuf -n 1 -e marmalade pumpernickel gooseberry tangerine \
    rhubarb pistachio blueberry nutmeg cardamom clementine)
  printf 'Well done, explorer!\npassword: %s\n' "$word" > "$secret"
fi

# --- Templates for the project you will create ------------------------------
mkdir -p "$lab/templates"
cat > "$lab/templates/LICENSE" <<'LICENSE'
Copyright (c) the nalabo learners

Permission is hereby granted, free of charge, to anyone who finishes this
workshop, to use, copy, modify and share the shell tricks learned here.
LICENSE

# --- A diary that everyone can read (for now) -------------------------------
mkdir -p "$lab/vault"
chmod 755 "$lab/vault"
if [ ! -e "$lab/vault/diary.txt" ]; then
  cat > "$lab/vault/diary.txt" <<'DIARY'
Dear diary,
today I learned that chmod 644 means everybody can read my secrets.
Tomorrow I will fix that.
DIARY
  chmod 644 "$lab/vault/diary.txt"
fi

# --- An application log to dig through --------------------------------------
mkdir -p "$lab/logs"
cat > "$lab/logs/app.log" <<'LOG'
2024-05-04 08:00:01 INFO user=alice login ok
2024-05-04 08:00:07 INFO user=alice viewed /dashboard
2024-05-04 08:01:12 INFO user=bob login ok
2024-05-04 08:01:15 ERROR user=carol payment declined: card expired
2024-05-04 08:01:40 INFO user=alice viewed /reports
2024-05-04 08:02:02 WARN user=bob slow response from /search (2.4s)
2024-05-04 08:02:30 INFO user=dave login ok
2024-05-04 08:02:31 ERROR user=bob search index unavailable
2024-05-04 08:03:05 INFO user=carol login ok
2024-05-04 08:03:09 ERROR user=carol payment declined: card expired
2024-05-04 08:03:44 INFO user=alice exported report.csv
2024-05-04 08:04:10 INFO user=erin login ok
2024-05-04 08:04:18 ERROR user=alice export failed: disk quota exceeded
2024-05-04 08:04:50 INFO user=dave cleared the error banner
2024-05-04 08:05:02 WARN user=carol password expires in 3 days
2024-05-04 08:05:33 ERROR user=carol payment declined: address mismatch
2024-05-04 08:06:01 INFO user=bob viewed /search
2024-05-04 08:06:12 ERROR user=dave upload rejected: file too large
2024-05-04 08:06:40 INFO user=alice viewed /dashboard
2024-05-04 08:07:05 WARN user=erin unusual login location
2024-05-04 08:07:30 ERROR user=bob search index unavailable
2024-05-04 08:08:00 INFO user=carol updated billing address
2024-05-04 08:08:15 ERROR user=carol payment declined: card expired
2024-05-04 08:08:59 INFO user=dave viewed /uploads
2024-05-04 08:09:20 INFO user=alice viewed /settings
2024-05-04 08:09:41 WARN user=bob slow response from /search (3.1s)
2024-05-04 08:10:02 ERROR user=alice export failed: disk quota exceeded
2024-05-04 08:10:30 INFO user=erin viewed /dashboard
2024-05-04 08:11:11 INFO user=bob logout
2024-05-04 08:11:45 ERROR user=carol payment service timeout
2024-05-04 08:12:03 INFO user=alice changed theme to dark
2024-05-04 08:12:30 INFO user=carol logout
2024-05-04 08:13:00 ERROR user=bob search index unavailable
2024-05-04 08:13:20 INFO user=dave logout
2024-05-04 08:14:02 INFO user=alice logout
2024-05-04 08:14:30 INFO user=alice login ok
LOG
chmod 644 "$lab/logs/app.log"
