#!/bin/sh
# Writes a workshop's `files:` into a Kubernetes member, as root, from the tar archive on standard input
# (the Docker backend uses the Engine API's archive upload instead). Arguments:
#   copy-files.sh files SIZE                              entries with their paths below /, modes and owners
#   copy-files.sh extract SIZE TARGET COMPRESSION [OWNER] an archive unpacked into TARGET (created if missing);
#                                                         COMPRESSION is none, gzip, bzip2 or xz; OWNER is UID:GID
# SIZE is the archive's length in bytes: exactly that much is read, because an exec over v4.channel.k8s.io
# cannot close standard input, so no end of file ever comes. It needs tar, head and stat (busybox's will do).
set -eu
umask 022
mode=${1:-}
size=${2:-}
case $size in
  ''|*[!0-9]*) echo "copy-files.sh: the archive's size in bytes must come second, not '$size'" >&2; exit 2 ;;
esac
case $mode in
  files)
    head -c "$size" | tar -x -f - -C /
    ;;
  extract)
    target=$3
    case $4 in
      none) flag= ;;
      gzip) flag=z ;;
      bzip2) flag=j ;;
      xz) flag=J ;;
      *) echo "copy-files.sh: unknown compression '$4'" >&2; exit 2 ;;
    esac
    mkdir -p "$target"
    # The target keeps its own mode and owner (created: 0755, root), as on Docker: tar would give it those of
    # the archive's "./" entry (an instructor's home directory's, say) and take /tmp's sticky bit away.
    kept_mode=$(stat -c '%a' "$target")
    kept_owner=$(stat -c '%u:%g' "$target")
    head -c "$size" | tar "-x${flag}f" - -C "$target"
    chmod "$kept_mode" "$target"
    chown "$kept_owner" "$target"
    if [ -n "${5:-}" ]; then
      chown -R "$5" "$target"
    fi
    ;;
  *)
    echo "copy-files.sh: unknown mode '$mode' (files or extract)" >&2
    exit 2
    ;;
esac
