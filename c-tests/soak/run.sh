#!/usr/bin/env bash
# Soak test: several msgr-send processes and several msgr-recv processes (c-tests/tools) at
# once over 127.0.0.1, tracked. Every sender sends SOAK_COUNT messages round-robin to every
# receiver (seq % RECEIVERS picks the receiver); each receiver listens on its own port and
# accepts everything with an incoming window. Part of the processes are linked to Debian's
# proton-c 0.37 (directly, or the Debian-built binary on our library), so the soak also runs
# interop under load.
#
# Phases (each a fresh set of processes and ports):
#   tracked    SOAK_COUNT x 256 B per sender, windows/batch 64, automatic credit (recv(-1))
#   lockstep   SOAK_COUNT/5 x 32 B, windows and batch 1 (send(-1) after every put)
#   credit     SOAK_COUNT/10 x 16 KiB, windows 16, receivers with explicit credit recv(2),
#              less than their number of links (API.md 3.6: blocked links wait their turn)
#
# Checks per phase: every process exits 0 within the hang guard and mapped the library its
# flavour names; every sender sent its count and ended with every tracker ACCEPTED (summary
# and per-tracker file: each seq once, ACCEPTED); every receiver got exactly its share with no
# duplicate, bad body or unidentified message; across all receivers every (sender, seq) was
# received exactly once and by the receiver it was addressed to. No check depends on time; the
# guards only stop a hang.
#
# Usage: c-tests/soak/run.sh [PHASE...]     (default: all)
# Env: SOAK_SENDERS (4), SOAK_RECEIVERS (4), SOAK_COUNT (10000), SOAK_FLAVOURS (mix: Debian
#      flavours mixed in; ours; debian), SOAK_RUN_MS (each tool's own timeout, 240000),
#      PROTON_BUILD_LIB, PROTON_INCLUDE (see c-tests/tools/build.sh), KEEP_LOGS=1.
# Logs under c-tests/out/soak/logs/PHASE (kept on failure, tails printed; removed on success
# unless KEEP_LOGS=1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SENDERS=${SOAK_SENDERS:-4}
RECEIVERS=${SOAK_RECEIVERS:-4}
COUNT=${SOAK_COUNT:-10000}
FLAVOURS=${SOAK_FLAVOURS:-mix}
RUN_MS=${SOAK_RUN_MS:-240000}
GUARD_S=$((RUN_MS / 1000 + 30)) # `timeout` kills a tool whose own timeout did not end it
source "$here/../tools/suite.sh"

suite_init soak "$@"

# Flavours, cycled over the processes: ours = our headers and library; debian = Debian's
# headers and library; drop-in = the Debian-built binary on our library.
case "$FLAVOURS" in
  mix)
    SENDER_FLAVOURS=(ours debian ours drop-in)
    RECEIVER_FLAVOURS=(ours drop-in debian ours)
    ;;
  ours | debian | drop-in)
    SENDER_FLAVOURS=("$FLAVOURS")
    RECEIVER_FLAVOURS=("$FLAVOURS")
    ;;
  *) echo "SOAK_FLAVOURS must be mix, ours, debian or drop-in" >&2; exit 2 ;;
esac
flavour_of() { # array-name index
  local -n arr=$1
  echo "${arr[$(($2 % ${#arr[@]}))]}"
}
# differing FILE1 FILE2: how many lines diff reports (0 when equal).
differing() { { diff "$1" "$2" || true; } | grep -c '^[<>]' || true; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
problems=()
expect() { # what actual expected
  [ "$2" = "$3" ] || problems+=("$1: got '$2', expected '$3'")
}


# run_phase NAME COUNT SIZE WINDOW CREDIT: every sender sends COUNT messages of SIZE bytes
# round-robin to every receiver, outgoing window and batch WINDOW; receivers accept with
# incoming window WINDOW and call recv(CREDIT).
run_phase() {
  local name=$1 count=$2 size=$3 window=$4 credit=$5
  wanted "$name" || return 0
  local logs=$out/logs/$name i k f rc line
  mkdir -p "$logs"
  problems=()
  # share K: how many messages receiver K gets (seq % RECEIVERS == K, from every sender).
  share() { echo $((SENDERS * ((count - $1 + RECEIVERS - 1) / RECEIVERS))); }
  local t0=$SECONDS

  local addrs=() recv_pids=() send_pids=()
  for k in $(seq 0 $((RECEIVERS - 1))); do
    f=$(flavour_of RECEIVER_FLAVOURS "$k")
    # shellcheck disable=SC2046 # the tool prefix splits on purpose
    if ! start_receiver "$logs/recv-$k.log" $(tool "$f" msgr-recv) -a "amqp://~127.0.0.1:@PORT@" \
      -n "recv$k" -c "$(share "$k")" -w "$window" -C "$credit" -V -t "$RUN_MS" -o "$logs/recv-$k.ids"; then
      problems+=("receiver $k ($f) did not start")
      break
    fi
    recv_pids+=("$receiver_pid")
    addrs+=("amqp://127.0.0.1:$recv_port/soak$k")
  done

  if [ ${#problems[@]} -eq 0 ]; then
    local targets
    targets=$(IFS=,; echo "${addrs[*]}")
    for i in $(seq 0 $((SENDERS - 1))); do
      f=$(flavour_of SENDER_FLAVOURS "$i")
      # shellcheck disable=SC2046
      start_proc "$logs/send-$i.log" $(tool "$f" msgr-send) -a "$targets" -n "send$i" -i "s$i" \
        -c "$count" -b "$size" -w "$window" -p "$window" -t "$RUN_MS" -q -o "$logs/send-$i.status"
      send_pids+=("$last_pid")
    done
  fi

  for i in "${!send_pids[@]}"; do
    rc=0; wait_proc "${send_pids[$i]}" || rc=$?
    expect "sender $i exit status (124: hang guard)" "$rc" 0
  done
  for k in "${!recv_pids[@]}"; do
    rc=0; wait_proc "${recv_pids[$k]}" || rc=$?
    expect "receiver $k exit status (124: hang guard)" "$rc" 0
  done
  local took=$((SECONDS - t0))

  if [ ${#send_pids[@]} -gt 0 ]; then
    seq 0 $((count - 1)) | sed 's/$/ ACCEPTED/' >"$logs/expected.status"
    for i in $(seq 0 $((SENDERS - 1))); do
      f=$(flavour_of SENDER_FLAVOURS "$i")
      line=$(grep '^msgr-send result=' "$logs/send-$i.log" || true)
      expect "sender $i result" "$(field "$line" result)" ok
      expect "sender $i sent" "$(field "$line" sent)" "$count"
      expect "sender $i ACCEPTED" "$(field "$line" ACCEPTED)" "$count"
      expect "sender $i mapped library ($f)" "$(readlink -f "$(field "$line" lib)" 2>/dev/null || true)" "$(lib_of "$f")"
      sort -n "$logs/send-$i.status" 2>/dev/null >"$logs/send-$i.sorted" || true
      cmp -s "$logs/expected.status" "$logs/send-$i.sorted" ||
        problems+=("sender $i: per-tracker statuses are not seq 0..$((count - 1)) once each, all ACCEPTED" \
          "  ($(differing "$logs/expected.status" "$logs/send-$i.sorted") differing lines: $logs/send-$i.status)")
    done
  fi
  for k in "${!recv_pids[@]}"; do
    f=$(flavour_of RECEIVER_FLAVOURS "$k")
    line=$(grep '^msgr-recv result=' "$logs/recv-$k.log" || true)
    expect "receiver $k result" "$(field "$line" result)" ok
    expect "receiver $k received" "$(field "$line" received)" "$(share "$k")"
    expect "receiver $k accepted" "$(field "$line" accepted)" "$(share "$k")"
    for key in dups bad unidentified; do expect "receiver $k $key" "$(field "$line" "$key")" 0; done
    expect "receiver $k verified bodies" "$(field "$line" verified)" 1
    expect "receiver $k mapped library ($f)" "$(readlink -f "$(field "$line" lib)" 2>/dev/null || true)" "$(lib_of "$f")"
  done

  # Exactly once across all receivers, each at the receiver it was addressed to: "ID SEQ K".
  if [ ${#send_pids[@]} -gt 0 ]; then
    for i in $(seq 0 $((SENDERS - 1))); do
      seq 0 $((count - 1)) | awk -v id="s$i" -v r="$RECEIVERS" '{ print id, $1, $1 % r }'
    done | sort >"$logs/expected.ids"
    for k in "${!recv_pids[@]}"; do
      sed "s/\$/ $k/" "$logs/recv-$k.ids" 2>/dev/null || true
    done | sort >"$logs/received.ids"
    expect "(sender, seq) received more than once" "$(cut -d' ' -f1,2 "$logs/received.ids" | uniq -d | wc -l)" 0
    if ! cmp -s "$logs/expected.ids" "$logs/received.ids"; then
      problems+=("received (sender, seq, receiver) set differs from the sent one:" \
        "  missing $(comm -23 "$logs/expected.ids" "$logs/received.ids" | wc -l)," \
        "  unexpected or at the wrong receiver $(comm -13 "$logs/expected.ids" "$logs/received.ids" | wc -l)" \
        "  (first missing: $(comm -23 "$logs/expected.ids" "$logs/received.ids" | sed -n 1,3p | tr '\n' ';'))")
    fi
  fi

  local total=$((SENDERS * count))
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS  %-9s %6d messages of %5d B, windows %2d, credit %2d: each received once, ACCEPTED (%ds)\n' \
      "$name" "$total" "$size" "$window" "$credit" "$took"
    [ "${KEEP_LOGS:-0}" = 1 ] || rm -rf "$logs"
    return 0
  fi
  failed=$((failed + 1))
  failures+=("$name")
  printf 'FAIL  %s (%d messages, %ds):\n' "$name" "$total" "$took"
  printf '      %s\n' "${problems[@]}"
  for f in "$logs"/*.log; do
    [ -f "$f" ] || continue
    echo "      --- $(basename "$f") (last 10 lines)"
    tail -n 10 "$f" | sed 's/^/      | /'
  done
  echo "      logs kept in $logs"
}

echo "soak: $SENDERS senders -> $RECEIVERS receivers; flavours senders=(${SENDER_FLAVOURS[*]})" \
  "receivers=(${RECEIVER_FLAVOURS[*]})"
start=$SECONDS
run_phase tracked "$COUNT" 256 64 -1
run_phase lockstep $((COUNT / 5)) 32 1 -1
run_phase credit $((COUNT / 10)) 16384 16 2
echo "soak: $passed passed, $failed failed ($((SECONDS - start))s)"
if [ "$failed" -gt 0 ]; then
  echo "soak FAILED: ${failures[*]} (logs in $out/logs)"
  exit 1
fi
