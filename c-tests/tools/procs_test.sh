#!/usr/bin/env bash
# procs_test.sh - checks of the process helpers (procs.sh) the suites and benchmarks use.
#
# A log that a previous run left must not count for the next process: the benchmarks reuse one
# recv.log per run, and start_receiver once took the previous receiver's "msgr-recv ready" for
# the new one's, so a sender connected before the new receiver listened (connection refused:
# 64 x 64 KiB messages ABORTED, the receiver waiting for them forever).
#   1. start_proc LOG: LOG holds nothing of the old content once start_proc returns (read at
#      once, before the child had a chance to run: without the fix it nearly always still does).
#   2. start_receiver with a stale ready line in LOG returns only after the new receiver (a
#      stand-in that prints the line after a marker file exists) printed its own.
# Prints one summary line; exit 1 on a failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUARD_S=30
# shellcheck source=procs.sh
source "$here/procs.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/procs_test.XXXXXX")
trap 'stop_all; rm -rf "$work"' EXIT

fail() { echo "procs_test: $*" >&2; exit 1; }

log=$work/recv.log
rounds=20
for i in $(seq "$rounds"); do
  echo "msgr-recv ready" >"$log"
  start_proc "$log" sleep 0.01
  line=""
  read -r line <"$log" || true
  [ -z "$line" ] || fail "start_proc round $i: the log still held '$line' from before"
  wait_proc "$last_pid" || fail "start_proc round $i: sleep failed"
done

for i in 1 2 3; do
  marker=$work/ready.$i
  echo "msgr-recv ready" >"$log"
  # shellcheck disable=SC2016 # $1 is the stand-in's own argument
  start_receiver "$log" bash -c 'sleep 0.2; touch "$1"; echo "msgr-recv ready"; exec sleep 20' \
    stand-in "$marker" @PORT@ || fail "start_receiver round $i: no receiver"
  [ -e "$marker" ] || fail "start_receiver round $i: returned on the stale ready line"
  kill "$receiver_pid"
  wait_proc "$receiver_pid" || true
done
echo "start_proc empties its log at once ($rounds rounds); start_receiver waits for the new ready line (3 rounds)"
