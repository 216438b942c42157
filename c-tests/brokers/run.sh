#!/usr/bin/env bash
# Messages through real brokers with msgr-send / msgr-recv (c-tests/tools):
#   proton-broker  proton's C example broker (libqpid-proton11-dev-examples), built and started
#                  here on a free port
#   rabbitmq       RabbitMQ 3.10 with rabbitmq_amqp1_0, a private node (scripts/rabbitmq.sh)
# Our tools put messages to a queue and another of our tools subscribes amqp://127.0.0.1:PORT/QUEUE
# and receives them all with accept; the same with Debian-built tools as a control, and across
# (ours -> Debian, Debian -> ours). Every case checks: both tools exit 0, the library each
# mapped, every (sender, seq) received exactly once with its body verified, and every tracker of
# a tracked sender ACCEPTED. The RabbitMQ 3.10 defects avoided here are in README.md.
#
# Usage: c-tests/brokers/run.sh [proton-broker|rabbitmq|CASE...]   (default: everything)
# Env: PROTON_BUILD_LIB, PROTON_INCLUDE (see c-tests/tools/build.sh), KEEP_LOGS=1.
# Output under c-tests/out/brokers/; on a failure the logs of that case are printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUN_MS=60000         # each tool's own whole-run timeout (hang guard)
GUARD_S=90           # then `timeout` kills it (and a broker after 2 x that, see start_broker)
EXAMPLE_BROKER_SRC=/usr/share/proton/examples/c/broker.c
source "$here/../tools/suite.sh"
source "$here/../tools/checks.sh"

suite_init brokers "$@"

rabbit_dir=$out/rabbitmq
rabbit_started=0
cleanup() {
  stop_all
  if [ "$rabbit_started" = 1 ]; then bash "$repo/scripts/rabbitmq.sh" stop "$rabbit_dir" || true; fi
}
trap cleanup EXIT

section_wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local n
  for n in "${only[@]}"; do [ "$n" = "$1" ] || [[ $n == $1/* ]] && return 0; done
  return 1
}


# broker_case NAME MODE ADDRESS COUNT EXPECT SENDER "SEND_ARGS" RECEIVER "RECV_ARGS"
#   MODE queued: the sender finishes before the receiver subscribes (the broker holds them all);
#        live:   the receiver subscribes first, then the sender runs.
#   EXPECT: the sender's tracker statuses (untracked or accepted, see check_statuses).
#   extra_check: a function run after the standard checks (may append to $problems), or empty.
extra_check=""
broker_case() {
  local name=$1 mode=$2 address=$3 count=$4 want=$5 sflav=$6 sargs=$7 rflav=$8 rargs=$9
  wanted "${name%%/*}" "$name" || return 0
  local dir=$out/logs/$name t0=$SECONDS rc spid
  mkdir -p "$dir"
  problems=""
  # shellcheck disable=SC2046,SC2086 # tool prefixes and argument strings split on purpose
  local send_cmd=($(tool "$sflav" msgr-send) -a "$address" -i "$sflav" -c "$count" -t "$RUN_MS"
    -o "$dir/send.status" $sargs)
  # shellcheck disable=SC2046,SC2086
  local recv_cmd=($(tool "$rflav" msgr-recv) -a "$address" -c "$count" -V -t "$RUN_MS"
    -o "$dir/recv.ids" $rargs)
  if [ "$mode" = queued ]; then
    start_proc "$dir/send.log" "${send_cmd[@]}"
    rc=0; wait_proc "$last_pid" || rc=$?
    expect "sender exit status" "$rc" 0
    start_receiver "$dir/recv.log" "${recv_cmd[@]}" || problems+="receiver did not start"$'\n'
  else
    start_receiver "$dir/recv.log" "${recv_cmd[@]}" || problems+="receiver did not start"$'\n'
    start_proc "$dir/send.log" "${send_cmd[@]}"
    spid=$last_pid
    rc=0; wait_proc "$spid" || rc=$?
    expect "sender exit status" "$rc" 0
  fi
  rc=0; wait_proc "$receiver_pid" || rc=$?
  expect "receiver exit status" "$rc" 0

  local rline sline
  rline=$(grep '^msgr-recv result=' "$dir/recv.log" || true)
  sline=$(grep '^msgr-send result=' "$dir/send.log" || true)
  expect "receiver result" "$(field "$rline" result)" ok
  expect "received" "$(field "$rline" received)" "$count"
  expect "duplicates" "$(field "$rline" dups)" 0
  expect "bad bodies" "$(field "$rline" bad)" 0
  check_lib "$rline" "$(lib_of "$rflav")" "receiver ($rflav)"
  check_lib "$sline" "$(lib_of "$sflav")" "sender ($sflav)"
  expected_ids "$sflav" "$count" >"$dir/expected.ids"
  check_ids "$dir/expected.ids" "$dir/recv.ids"
  check_statuses "$sline" "$sflav" "$count" "$want" "$dir/send.status"
  if [ -n "$extra_check" ]; then "$extra_check" "$dir" "$rline" "$count"; fi

  if [ -z "$problems" ]; then
    passed=$((passed + 1))
    printf 'PASS  %-44s %6d msgs  %3ds\n' "$name" "$count" $((SECONDS - t0))
  else
    fail_case "$name" "$problems"
  fi
}

start=$SECONDS

# ---- proton's C example broker --------------------------------------------------------------
if section_wanted proton-broker; then
  pb_ok=1
  if [ ! -f "$EXAMPLE_BROKER_SRC" ]; then
    fail_case proton-broker "missing $EXAMPLE_BROKER_SRC (libqpid-proton11-dev-examples; scripts/install-deps.sh)"$'\n'
    pb_ok=0
  elif ! gcc -O2 -I"$(dirname "$EXAMPLE_BROKER_SRC")" -o "$out/broker" "$EXAMPLE_BROKER_SRC" \
    -lqpid-proton -lpthread >"$out/logs/broker-build.log" 2>&1; then
    fail_case proton-broker "building $EXAMPLE_BROKER_SRC failed"$'\n' "$out/logs"
    pb_ok=0
  fi
  if [ "$pb_ok" = 1 ]; then
    pb_port=""
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      # The broker itself is Debian's proton; our tools are its clients.
      GUARD_S=$((GUARD_S * 10)) start_proc "$out/logs/proton-broker.log" \
        env -u LD_LIBRARY_PATH "$out/broker" 127.0.0.1 "$port"
      pb_pid=$last_pid
      for i in $(seq 100); do
        grep -q "^listening on $port" "$out/logs/proton-broker.log" && { pb_port=$port; break; }
        kill -0 "$pb_pid" 2>/dev/null || break
        sleep 0.05
      done
      [ -n "$pb_port" ] && break
      kill "$pb_pid" 2>/dev/null || true
      wait_proc "$pb_pid" || true
    done
    if [ -z "$pb_port" ]; then
      fail_case proton-broker "the example broker did not start"$'\n' "$out/logs"
    else
      echo "proton example broker on 127.0.0.1:$pb_port"
      a="amqp://127.0.0.1:$pb_port"
      broker_case proton-broker/ours-tracked-queued-3000x200B queued "$a/ours-tracked" 3000 accepted \
        ours "-b 200 -w 256 -p 256" ours "-w 256"
      broker_case proton-broker/ours-untracked-queued-3000x1KiB queued "$a/ours-untracked" 3000 untracked \
        ours "-b 1024" ours ""
      # 1 MiB: one transfer frame with either library (the example broker corrupts a
      # message that comes in several frames, see README.md).
      broker_case proton-broker/ours-tracked-live-8x1MiB live "$a/ours-large" 8 accepted \
        ours "-b 1048576 -w 4 -p 4" ours "-w 4"
      broker_case proton-broker/debian-tracked-queued-3000x200B queued "$a/debian-tracked" 3000 accepted \
        debian "-b 200 -w 256 -p 256" debian "-w 256"
      broker_case proton-broker/ours-to-debian-live-2000x100B live "$a/ours-to-debian" 2000 accepted \
        ours "-b 100 -w 128 -p 128" debian "-w 128"
      broker_case proton-broker/debian-to-ours-live-2000x100B live "$a/debian-to-ours" 2000 accepted \
        debian "-b 100 -w 128 -p 128" ours "-w 128"
      kill "$pb_pid" 2>/dev/null || true
      wait_proc "$pb_pid" || true
    fi
  fi
fi

# ---- RabbitMQ 3.10 ----------------------------------------------------------------------------
# Receivers settle as they accept (-w N -s): 3.10 ends the session on an unsettled disposition
# and on a settled one without outcome (incoming window 0). See README.md.
rabbit_queue_empty() { # DIR RLINE COUNT: after the rejects, nothing is left in the queue
  local dir=$1
  # shellcheck disable=SC2046
  start_proc "$dir/leftover.log" $(tool ours msgr-recv) -a "$rabbit_addr/ours-rejects" -I 1500 \
    -w 16 -s -q -t "$RUN_MS"
  local rc=0
  wait_proc "$last_pid" || rc=$?
  expect "leftover receiver exit status" "$rc" 0
  expect "messages left in the queue after the rejects" \
    "$(field "$(grep '^msgr-recv result=' "$dir/leftover.log" || true)" received)" 0
  expect "receiver rejected" "$(field "$2" rejected)" $(($3 / 5))
}

# Our SASL PLAIN is real: a wrong password is refused (sasl-outcome 1), the message ABORTED, and
# the messenger error says so (without the password); with our tools and with Debian's on ours.
rabbit_wrong_password() { # FLAVOUR
  local name=rabbitmq/$1-sasl-plain-wrong-password-refused
  wanted rabbitmq "$name" || return 0
  local dir=$out/logs/$name t0=$SECONDS rc=0
  mkdir -p "$dir"
  problems=""
  # shellcheck disable=SC2046
  start_proc "$dir/send.log" $(tool "$1" msgr-send) -a "amqp://guest:wrong-pw@127.0.0.1:$rabbit_port/q" \
    -c 1 -w 1 -t "$RUN_MS"
  wait_proc "$last_pid" || rc=$?
  local sline
  sline=$(grep '^msgr-send result=' "$dir/send.log" || true)
  check_lib "$sline" "$(lib_of "$1")" "sender ($1)"
  expect "sender exit status (a tracker ABORTED)" "$rc" 1
  expect "sender ABORTED" "$(field "$sline" ABORTED)" 1
  expect "sender ACCEPTED" "$(field "$sline" ACCEPTED)" 0
  expect "sender error" "$(sed -n 's/^msgr-send error: //p' "$dir/send.log")" \
    "CONNECTION ERROR (127.0.0.1:$rabbit_port): SASL authentication failed (outcome 1: authentication failed)"
  if grep -q 'wrong-pw' "$dir/send.log"; then problems+="the password shows in the output"$'\n'; fi
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
    printf 'PASS  %-44s %6d msgs  %3ds\n' "$name" 1 $((SECONDS - t0))
  else
    fail_case "$name" "$problems"
  fi
}

if section_wanted rabbitmq; then
  rabbit_port=$(free_port)
  # A node left over by an interrupted run would make start refuse: stop it first.
  bash "$repo/scripts/rabbitmq.sh" stop "$rabbit_dir" >/dev/null 2>&1 || true
  if ! bash "$repo/scripts/rabbitmq.sh" start "$rabbit_dir" "$rabbit_port" >"$out/logs/rabbitmq-start.log" 2>&1; then
    rabbit_started=1
    fail_case rabbitmq "scripts/rabbitmq.sh start failed"$'\n' "$out/logs"
  else
    rabbit_started=1
    cat "$out/logs/rabbitmq-start.log"
    rabbit_addr="amqp://127.0.0.1:$rabbit_port"
    a=$rabbit_addr
    broker_case rabbitmq/ours-tracked-queued-plain-3000x200B queued "$a/ours-plain" 3000 accepted \
      ours "-b 200 -w 256 -p 256" ours "-w 256 -s"
    broker_case rabbitmq/ours-tracked-queued-queue-prefix-3000x200B queued "$a//queue/ours-prefixed" 3000 accepted \
      ours "-b 200 -w 256 -p 256" ours "-w 256 -s"
    broker_case rabbitmq/ours-untracked-live-3000x1KiB live "$a/ours-untracked" 3000 untracked \
      ours "-b 1024" ours "-w 64 -s"
    broker_case rabbitmq/ours-tracked-live-8x1MiB live "$a//queue/ours-large" 8 accepted \
      ours "-b 1048576 -w 4 -p 4" ours "-w 4 -s"
    broker_case rabbitmq/ours-sasl-plain-1000x100B queued "amqp://guest:guest@127.0.0.1:$rabbit_port/q" 1000 accepted \
      ours "-b 100 -w 100 -p 100" ours "-w 100 -s"
    rabbit_wrong_password ours
    rabbit_wrong_password drop-in
    extra_check=rabbit_queue_empty
    broker_case rabbitmq/ours-rejects-every5th-1000x100B queued "$a/ours-rejects" 1000 accepted \
      ours "-b 100 -w 100 -p 100" ours "-w 100 -s -j 5"
    extra_check=""
    broker_case rabbitmq/debian-tracked-queued-plain-3000x200B queued "$a/debian-plain" 3000 accepted \
      debian "-b 200 -w 256 -p 256" debian "-w 256 -s"
    broker_case rabbitmq/debian-tracked-queued-queue-prefix-3000x200B queued "$a//queue/debian-prefixed" 3000 accepted \
      debian "-b 200 -w 256 -p 256" debian "-w 256 -s"
    broker_case rabbitmq/ours-to-debian-live-2000x100B live "$a/ours-to-debian" 2000 accepted \
      ours "-b 100 -w 128 -p 128" debian "-w 128 -s"
    broker_case rabbitmq/debian-to-ours-live-2000x100B live "$a/debian-to-ours" 2000 accepted \
      debian "-b 100 -w 128 -p 128" ours "-w 128 -s"
  fi
  stop_all
  bash "$repo/scripts/rabbitmq.sh" stop "$rabbit_dir" >"$out/logs/rabbitmq-stop.log" 2>&1 ||
    fail_case rabbitmq-stop "scripts/rabbitmq.sh stop failed"$'\n' "$out/logs"
  rabbit_started=0
fi

echo "brokers: $passed passed, $failed failed ($((SECONDS - start))s)"
if [ "$failed" -gt 0 ]; then
  echo "brokers FAILED: ${failures[*]} (logs in $out/logs)"
  exit 1
fi
if [ "$passed" -eq 0 ]; then echo "brokers: nothing ran (arguments: ${only[*]})"; exit 1; fi
[ "${KEEP_LOGS:-0}" = 1 ] || rm -rf "$out/logs"
