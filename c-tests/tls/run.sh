#!/usr/bin/env bash
# amqps between the msgr tools (c-tests/tools) of Debian's proton-c 0.37 and ours, over
# 127.0.0.1, with the test certificates of scripts/gen-test-certs.sh.
#
# Flavours of a tool: debian (Debian build, Debian library), ours (our build and library),
# drop-in (the Debian build on our library). Every pair of sender>receiver flavours with one
# side Debian's or both ours runs:
#   verified-name   receiver amqps://~ with an encrypted server key (-P); the sender trusts the
#                   CA file and verifies the name (default mode), tracked, 1000 x 1 KiB
#   client-cert     the sender also presents a client certificate (encrypted key), trusts the
#                   CA directory, VERIFY_PEER; 4 x 1 MiB
#   amqp-listener   the receiver listens on amqp://~ (TLS or plain, detected): one TLS sender
#                   and one plain sender at once
# and the failures, for a sender of each flavour against our receiver: a wrong-name server
# certificate, an untrusted one, a sender key with the wrong password. Every message of a
# failed sender is ABORTED; ours and the drop-in also print the reason (msgr-send error: ...),
# Debian's 0.37 prints nothing (it sets no error).
# Each run checks exit statuses, the library each process mapped, exactly-once delivery with
# verified bodies, and every tracker's status.
#
# Usage: c-tests/tls/run.sh [CASE...]   (names as printed; default all)
# Env: PROTON_BUILD_LIB, PROTON_INCLUDE (see c-tests/tools/build.sh), KEEP_LOGS=1.
# Output under c-tests/out/tls/; on a failure the logs of that case are printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUN_MS=60000 # each tool's own whole-run timeout (hang guard)
GUARD_S=90   # then `timeout` kills it
source "$repo/c-tests/tools/suite.sh"
source "$here/../tools/checks.sh"
suite_init tls "$@"
certs=$out/certs
bash "$repo/scripts/gen-test-certs.sh" "$certs"
password=$(cat "$certs/key-password.txt")



report() { # NAME MSGS T0
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
    printf 'PASS  %-44s %6d msgs  %3ds\n' "$1" "$2" $((SECONDS - $3))
  else
    fail_case "$1" "$problems"
  fi
}

server_tls="-E $certs/server.pem -K $certs/server-enc.key -P $password"

# run_case NAME RECV_FLAVOUR "RECV_ARGS" LISTEN_SCHEME SENDERS...: each sender is
# "FLAVOUR:ID:COUNT:SCHEME:ARGS"; all its messages must be ACCEPTED and arrive once.
run_case() {
  local name=$1 rflav=$2 rargs=$3 lscheme=$4
  shift 4
  wanted "$name" || return 0
  local dir=$out/logs/$name total=0 s t0=$SECONDS
  mkdir -p "$dir"
  problems=""
  for s in "$@"; do total=$((total + $(cut -d: -f3 <<<"$s"))); done
  # shellcheck disable=SC2046,SC2086 # tool prefixes and argument strings split on purpose
  start_receiver "$dir/recv.log" $(tool "$rflav" msgr-recv) -a "$lscheme://~127.0.0.1:@PORT@" \
    -c "$total" -w 256 -V -t "$RUN_MS" -o "$dir/recv.ids" $server_tls $rargs ||
    { fail_case "$name" "receiver did not start"$'\n'; return 0; }
  local port=$recv_port spids=() sflav id count scheme sargs i rc
  for s in "$@"; do
    IFS=: read -r sflav id count scheme sargs <<<"$s"
    # shellcheck disable=SC2046,SC2086
    start_proc "$dir/send-$id.log" $(tool "$sflav" msgr-send) -a "$scheme://127.0.0.1:$port/tls" \
      -i "$id" -c "$count" -t "$RUN_MS" -o "$dir/send-$id.status" $sargs
    spids+=("$last_pid")
  done
  for i in "${!spids[@]}"; do
    rc=0; wait_proc "${spids[$i]}" || rc=$?
    expect "sender $i exit status" "$rc" 0
  done
  rc=0; wait_proc "$receiver_pid" || rc=$?
  expect "receiver exit status" "$rc" 0
  local rline sline
  rline=$(grep '^msgr-recv result=' "$dir/recv.log" || true)
  expect "receiver result" "$(field "$rline" result)" ok
  expect "received" "$(field "$rline" received)" "$total"
  expect "verified" "$(field "$rline" verified)" 1
  check_lib "$rline" "$(lib_of "$rflav")" "receiver ($rflav)"
  for s in "$@"; do
    IFS=: read -r sflav id count scheme sargs <<<"$s"
    expected_ids "$id" "$count"
  done >"$dir/expected.ids"
  check_ids "$dir/expected.ids" "$dir/recv.ids"
  for s in "$@"; do
    IFS=: read -r sflav id count scheme sargs <<<"$s"
    sline=$(grep '^msgr-send result=' "$dir/send-$id.log" || true)
    check_lib "$sline" "$(lib_of "$sflav")" "sender $id ($sflav)"
    check_statuses "$sline" "$id" "$count" accepted "$dir/send-$id.status"
    if grep -q '^msgr-send error:' "$dir/send-$id.log"; then
      problems+="sender $id reported an error: $(grep '^msgr-send error:' "$dir/send-$id.log")"$'\n'
    fi
  done
  report "$name" "$total" "$t0"
}

# fail_case_run NAME SEND_FLAVOUR "RECV_ARGS" "SEND_ARGS" WORDS: our receiver, one sender of
# 3 tracked messages that must all be ABORTED; ours and the drop-in must say WORDS.
refused_case() {
  local name=$1 sflav=$2 rargs=$3 sargs=$4 words=$5
  wanted "$name" || return 0
  local dir=$out/logs/$name t0=$SECONDS rc
  mkdir -p "$dir"
  problems=""
  # shellcheck disable=SC2046,SC2086
  start_receiver "$dir/recv.log" $(tool ours msgr-recv) -a "amqps://~127.0.0.1:@PORT@" \
    -c 0 -I 1500 -t "$RUN_MS" $rargs || { fail_case "$name" "receiver did not start"$'\n'; return 0; }
  # shellcheck disable=SC2046,SC2086
  start_proc "$dir/send.log" $(tool "$sflav" msgr-send) -a "amqps://127.0.0.1:$recv_port/tls" \
    -c 3 -w 3 -t "$RUN_MS" $sargs
  rc=0; wait_proc "$last_pid" || rc=$?
  expect "sender exit status (messages ABORTED)" "$rc" 1
  local sline error
  sline=$(grep '^msgr-send result=' "$dir/send.log" || true)
  check_lib "$sline" "$(lib_of "$sflav")" "sender ($sflav)"
  expect "sender ABORTED" "$(field "$sline" ABORTED)" 3
  expect "sender ACCEPTED" "$(field "$sline" ACCEPTED)" 0
  error=$(sed -n 's/^msgr-send error: //p' "$dir/send.log")
  if [ "$sflav" = debian ]; then
    expect "0.37's error (none)" "$error" ""
  elif [[ $error != "CONNECTION ERROR (127.0.0.1:"*"$words"* ]]; then
    problems+="sender error \"$error\" does not say \"$words\""$'\n'
  fi
  if [[ $error == *"$password"* ]]; then problems+="the error shows the key password"$'\n'; fi
  rc=0; wait_proc "$receiver_pid" || rc=$?
  expect "receiver exit status" "$rc" 0
  expect "received" "$(field "$(grep '^msgr-recv result=' "$dir/recv.log" || true)" received)" 0
  report "$name" 3 "$t0"
}

start=$SECONDS
for pair in debian:ours ours:debian debian:drop-in drop-in:debian ours:ours; do
  sf=${pair%%:*}
  rf=${pair#*:}
  p="$sf>$rf"
  run_case "$p/verified-name-1000x1KiB" "$rf" "" amqps \
    "$sf:s1:1000:amqps:-b 1024 -w 256 -p 256 -T $certs/ca.pem"
  run_case "$p/client-cert-4x1MiB" "$rf" "" amqps \
    "$sf:s1:4:amqps:-b 1048576 -w 4 -p 4 -T $certs/cadir -M peer -E $certs/client.pem -K $certs/client-enc.key -P $password"
  run_case "$p/amqp-listener-tls-and-plain-2x300" "$rf" "" amqp \
    "$sf:tls:300:amqps:-b 100 -w 100 -p 100 -T $certs/ca.pem" "$sf:plain:300:amqp:-b 100 -w 100 -p 100"
done
for sf in ours drop-in debian; do
  refused_case "$sf>ours/refused-wrong-name" "$sf" "-E $certs/wrong.pem -K $certs/wrong.key" \
    "-T $certs/ca.pem" "certificate verify failed: IP address mismatch"
  refused_case "$sf>ours/refused-untrusted" "$sf" "-E $certs/rogue.pem -K $certs/rogue.key" \
    "-T $certs/ca.pem -M peer" "unable to get local issuer certificate"
  refused_case "$sf>ours/refused-client-key-password" "$sf" "$server_tls" \
    "-T $certs/ca.pem -E $certs/client.pem -K $certs/client-enc.key -P wrong-$password" \
    "invalid credentials: cannot read private key"
done

echo "tls: $passed passed, $failed failed ($((SECONDS - start))s)"
if [ "$failed" -gt 0 ]; then
  echo "tls FAILED: ${failures[*]} (logs in $out/logs)"
  exit 1
fi
[ "${KEEP_LOGS:-0}" = 1 ] || rm -rf "$out/logs"
