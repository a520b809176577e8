#!/bin/sh
# shellcheck shell=sh
# Keeps a learner container alive until the session's expiry ($1, a Unix time), when nalabo-init is missing
# (Docker) or as PID 1 of a Pod (Kubernetes, which ends the Pod at activeDeadlineSeconds as well). The time
# left is computed when the container starts, so a slow start does not extend the session.
trap 'exit 0' TERM INT
now=$(date +%s) || now=0
left=$(($1 - now))
[ "$left" -gt 0 ] || left=1
sleep "$left" &
wait $!
