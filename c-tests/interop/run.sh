#!/usr/bin/env bash
# Interop with the original messenger: msgr-send and msgr-recv (c-tests/tools) linked to Debian's
# proton-c 0.37 talk to the same tools linked to ours, both ways, over 127.0.0.1.
#
# Flavours of a tool:  debian  orig/ binary on Debian's library
#                      ours    ours/ binary (our headers) on our library
#                      drop-in orig/ binary on our library through LD_LIBRARY_PATH
# Pairs (sender>receiver): debian>ours, ours>debian, debian>drop-in, drop-in>debian.
# Scenarios per pair: untracked small messages, tracked with accepts, tracked with rejects,
# tracked against incoming window 0 (SETTLED), 5 MB messages untracked and tracked, round trip
# (replies over the sender's own connection); plus two senders of different flavours into one
# receiver. Every run checks: both exit 0; the library each process mapped; the receiver got
# every (sender, seq) exactly once with verified content; each tracker's final status (per
# sequence number for rejects); replies.
#
# Usage: c-tests/interop/run.sh [SCENARIO...]   (names as printed; default all)
# Env: PROTON_BUILD_LIB, PROTON_INCLUDE (see c-tests/tools/build.sh), KEEP_LOGS=1.
# Output under c-tests/out/interop/; on a failure the logs of that run are printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUN_MS=60000            # each tool's own whole-run timeout (hang guard)
GUARD_S=90              # then `timeout` kills it
source "$here/../tools/suite.sh"
source "$here/../tools/checks.sh"

suite_init interop "$@"



# run_case NAME RECV_FLAVOUR "RECV_ARGS" SENDERS... where each sender is
# "FLAVOUR:ID:COUNT:ARGS"; then checks. Extra checks via the variables below.
#   expect_status: "untracked", "settled", "accepted", or "reject:N"
#   round_trip: 1 if the senders use -R and the receiver -r
run_case() {
  local name=$1 rflav=$2 rargs=$3
  shift 3
  wanted "$name" || return 0
  local dir=$out/logs/$name total=0 s
  mkdir -p "$dir"
  problems=""
  for s in "$@"; do total=$((total + $(cut -d: -f3 <<<"$s"))); done
  local t0=$SECONDS

  # shellcheck disable=SC2046,SC2086 # tool prefixes and argument strings split on purpose
  start_receiver "$dir/recv.log" $(tool "$rflav" msgr-recv) -a "amqp://~127.0.0.1:@PORT@" \
    -c "$total" -V -t "$RUN_MS" -o "$dir/recv.ids" $rargs ||
    { fail_case "$name" "receiver did not start"$'\n'; return 0; }
  local port=$recv_port
  local spids=() sflav id count sargs i=0
  for s in "$@"; do
    IFS=: read -r sflav id count sargs <<<"$s"
    start_proc "$dir/send-$id.log" $(tool "$sflav" msgr-send) -a "amqp://127.0.0.1:$port/interop" \
      -i "$id" -c "$count" -t "$RUN_MS" -o "$dir/send-$id.status" $sargs
    spids+=("$last_pid")
  done
  local rc
  for i in "${!spids[@]}"; do
    rc=0; wait_proc "${spids[$i]}" || rc=$?
    s=${*:$((i + 1)):1}
    expect "sender ${s%%:*} exit status" "$rc" 0
  done
  rc=0; wait_proc "$receiver_pid" || rc=$?
  expect "receiver exit status" "$rc" 0

  local rline sline
  rline=$(grep '^msgr-recv result=' "$dir/recv.log" || true)
  expect "receiver result" "$(field "$rline" result)" ok
  expect "received" "$(field "$rline" received)" "$total"
  expect "duplicates" "$(field "$rline" dups)" 0
  expect "bad bodies" "$(field "$rline" bad)" 0
  expect "verified" "$(field "$rline" verified)" 1
  check_lib "$rline" "$(lib_of "$rflav")" "receiver ($rflav)"
  for s in "$@"; do
    IFS=: read -r sflav id count sargs <<<"$s"
    expected_ids "$id" "$count"
  done >"$dir/expected.ids"
  check_ids "$dir/expected.ids" "$dir/recv.ids"

  for s in "$@"; do
    IFS=: read -r sflav id count sargs <<<"$s"
    sline=$(grep '^msgr-send result=' "$dir/send-$id.log" || true)
    check_lib "$sline" "$(lib_of "$sflav")" "sender $id ($sflav)"
    check_statuses "$sline" "$id" "$count" "$expect_status" "$dir/send-$id.status"
    if [[ $expect_status == reject:* ]]; then
      expect "receiver rejected" "$(field "$rline" rejected)" $((count / ${expect_status#reject:}))
    fi
    if [ "${round_trip:-0}" = 1 ]; then
      expect "sender $id replies" "$(field "$sline" replies)" "$count"
      expect "sender $id bad replies" "$(field "$sline" bad_replies)" 0
    fi
  done
  if [ "${round_trip:-0}" = 1 ]; then expect "receiver replies" "$(field "$rline" replies)" "$total"; fi

  local took=$((SECONDS - t0))
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
    printf 'PASS  %-34s %6d msgs  %3ds\n' "$name" "$total" "$took"
  else
    fail_case "$name" "$problems"
  fi
}


FIVE_MB=$((5 * 1024 * 1024))
start=$SECONDS
for pair in debian:ours ours:debian debian:drop-in drop-in:debian; do
  sf=${pair%%:*}
  rf=${pair#*:}
  p="$sf>$rf"
  round_trip=0
  expect_status=untracked
  run_case "$p/untracked-5000x32B" "$rf" "" "$sf:s1:5000:-b 32"
  expect_status=accepted
  run_case "$p/tracked-3000x256B" "$rf" "-w 1024" "$sf:s1:3000:-b 256 -w 1024 -p 1024"
  expect_status=reject:7
  run_case "$p/rejects-1000x64B-every7th" "$rf" "-w 100 -j 7" "$sf:s1:1000:-b 64 -w 100 -p 100"
  expect_status=settled
  run_case "$p/tracked-recv-window0-500" "$rf" "" "$sf:s1:500:-b 16 -w 50 -p 50"
  expect_status=untracked
  run_case "$p/untracked-4x5MB" "$rf" "" "$sf:s1:4:-b $FIVE_MB -p 2"
  expect_status=accepted
  run_case "$p/tracked-6x5MB" "$rf" "-w 3" "$sf:s1:6:-b $FIVE_MB -w 3 -p 3"
  expect_status=untracked round_trip=1
  run_case "$p/round-trip-300x100B" "$rf" "-r" "$sf:s1:300:-b 100 -R -p 1"
done
round_trip=0 expect_status=accepted
run_case "mixed>ours/tracked-2x1500" ours "-w 512" \
  "debian:deb:1500:-b 200 -w 256 -p 256" "drop-in:dropin:1500:-b 200 -w 256 -p 256"
run_case "mixed>debian/tracked-2x1500" debian "-w 512" \
  "ours:ours:1500:-b 200 -w 256 -p 256" "drop-in:dropin:1500:-b 200 -w 256 -p 256"

echo "interop: $passed passed, $failed failed ($((SECONDS - start))s)"
if [ "$failed" -gt 0 ]; then
  echo "interop FAILED: ${failures[*]} (logs in $out/logs)"
  exit 1
fi
[ "${KEEP_LOGS:-0}" = 1 ] || rm -rf "$out/logs"
