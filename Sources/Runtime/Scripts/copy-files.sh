#!/bin/sh
# Writes a workshop's `files:` into a Kubernetes member, as root, from the tar archive on standard input
# (the Docker backend uses the Engine API's archive upload instead). Arguments:
#   copy-files.sh files                              entries with their paths below /, modes and owners
#   copy-files.sh extract TARGET COMPRESSION [OWNER] an archive unpacked into TARGET (created if missing);
#                                                    COMPRESSION is none, gzip, bzip2 or xz; OWNER is UID:GID
set -eu
mode=${1:-}
case $mode in
  files)
    exec tar -x -f - -C /
    ;;
  extract)
    target=$2
    case $3 in
      none) flag= ;;
      gzip) flag=z ;;
      bzip2) flag=j ;;
      xz) flag=J ;;
      *) echo "copy-files.sh: unknown compression '$3'" >&2; exit 2 ;;
    esac
    mkdir -p "$target"
    tar "-x${flag}f" - -C "$target"
    if [ -n "${4:-}" ]; then
      chown -R "$4" "$target"
    fi
    ;;
  *)
    echo "copy-files.sh: unknown mode '$mode' (files or extract)" >&2
    exit 2
    ;;
esac
