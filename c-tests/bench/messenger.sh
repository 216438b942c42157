#!/usr/bin/env bash
# messenger.sh - Messenger benchmark: Debian's proton-c 0.37 vs ours, side by side in one run.
#
# Builds c-tests/tools (msgr-send, msgr-recv) against each library (tools/build.sh), then for
# every case runs a receiver and a sender over 127.0.0.1, the original pair and our pair in
# turn, ROUNDS times each, and prints per case:
#   msgs/s        the slower of the two sides' rates (sender: start to last send; receiver:
#                 first message to last), best round
#   CPU µs/msg    user+system CPU of both processes per message (getrusage), best round
#   RSS MiB       peak resident set of the sender and of the receiver, lowest round
# and ours/original ratios; then how much tracking costs each library, and the round trip
# (msgr-send -R -p 1: put, send, wait for the reply; msgr-recv -r answers each).
#
# Cases: 16 B, 1 KiB, 64 KiB and 1 MiB bodies, in three modes; the sender puts batches of 1024:
#   untracked  windows 0 (pre-settled), send(-1) after each batch;
#   tracked    windows 2048, pipelined (msgr-send -k): the next batch is put before the
#              previous one's outcomes are awaited with send(n); the receiver accepts each
#              message, the sender reads every status and settles each batch;
#   lockstep   windows 1024, send(-1) after each batch waits for all its outcomes, so the
#              sender idles for a round trip per batch (what tracking costs a naive sender).
#
# It is a benchmark, not a test: it never fails on speed. Exit 1 if a run fails (any summary
# without result=ok, or a tool that did not map the library it should have); 2 on usage.
#
# Usage: c-tests/bench/messenger.sh [-r rounds] [-s scale] [-c case,...]
#   cases: 16B 1KiB 64KiB 1MiB rtt (default all); scale multiplies the message counts
# Env: PROTON_BUILD_LIB (default <repo>/build/lib), PROTON_INCLUDE, BENCH_ROUNDS (default 3),
#      BENCH_SCALE (default 1)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"
bench_init messenger.sh "16B,1KiB,64KiB,1MiB,rtt" "$@"

# run_pair KIND SIZE COUNT MODE: one receiver and one sender; prints
# "rate cpu_us_per_msg(both) sender_rss_kib receiver_rss_kib".
run_pair() {
  local kind=$1 size=$2 count=$3 mode=$4 bin=$work/tools/$1 window=0 pipeline=()
  case $mode in
    tracked) window=2048 pipeline=(-k) ;;
    lockstep) window=1024 ;;
  esac
  start_receiver "$work/recv.log" "$bin/msgr-recv" -a "amqp://~127.0.0.1:@PORT@" -c "$count" \
    -w "$window" -S -t $((GUARD_S * 1000)) || die "$kind receiver did not start"
  local rc=0
  "$bin/msgr-send" -a "amqp://127.0.0.1:$recv_port/bench" -c "$count" -b "$size" -w "$window" \
    -p 1024 "${pipeline[@]}" -q -S -t $((GUARD_S * 1000)) >"$work/send.log" 2>&1 || rc=$?
  wait_proc "$receiver_pid" || rc=$?
  [ "$rc" = 0 ] || { cat "$work/send.log" "$work/recv.log" >&2; die "$kind $size B run failed"; }
  check_summary "$work/send.log" "$kind"
  check_summary "$work/recv.log" "$kind"
  awk -v sr="$(field "$work/send.log" msgs_per_s)" -v rr="$(field "$work/recv.log" msgs_per_s)" \
    -v sc="$(field "$work/send.log" cpu_us_per_msg)" -v rc="$(field "$work/recv.log" cpu_us_per_msg)" \
    -v ss="$(field "$work/send.log" maxrss_kib)" -v rs="$(field "$work/recv.log" maxrss_kib)" \
    'BEGIN { printf "%.0f %.3f %d %d\n", (sr < rr ? sr : rr), sc + rc, ss, rs }'
}

# run_rtt KIND COUNT: request/reply one at a time; prints "avg_us p50_us cpu_us_per_rt(both)".
run_rtt() {
  local kind=$1 count=$2 bin=$work/tools/$1
  start_receiver "$work/recv.log" "$bin/msgr-recv" -a "amqp://~127.0.0.1:@PORT@" -c "$count" \
    -r -S -t $((GUARD_S * 1000)) || die "$kind receiver did not start"
  local rc=0
  "$bin/msgr-send" -a "amqp://127.0.0.1:$recv_port/rtt" -c "$count" -b 16 -p 1 -R \
    -q -S -t $((GUARD_S * 1000)) >"$work/send.log" 2>&1 || rc=$?
  wait_proc "$receiver_pid" || rc=$?
  [ "$rc" = 0 ] || { cat "$work/send.log" "$work/recv.log" >&2; die "$kind round trip failed"; }
  check_summary "$work/send.log" "$kind"
  check_summary "$work/recv.log" "$kind"
  awk -v a="$(field "$work/send.log" rtt_avg_us)" -v p="$(field "$work/send.log" rtt_p50_us)" \
    -v sc="$(field "$work/send.log" cpu_us_per_msg)" -v rc="$(field "$work/recv.log" cpu_us_per_msg)" \
    'BEGIN { printf "%.1f %.1f %.2f\n", a, p, sc + rc }'
}

# best LINES...: per column, the max of column 1 (rate) and the min of the others.
best() {
  printf '%s\n' "$@" | awk '
    NR == 1 { for (i = 1; i <= NF; i++) b[i] = $i; n = NF; next }
    { if ($1 > b[1]) b[1] = $1; for (i = 2; i <= NF; i++) if ($i < b[i]) b[i] = $i }
    END { for (i = 1; i <= n; i++) printf "%s%s", b[i], (i < n ? " " : "\n") }'
}

# best_rtt LINES...: the min of every column.
best_rtt() {
  printf '%s\n' "$@" | awk '
    NR == 1 { for (i = 1; i <= NF; i++) b[i] = $i; n = NF; next }
    { for (i = 1; i <= NF; i++) if ($i < b[i]) b[i] = $i }
    END { for (i = 1; i <= n; i++) printf "%s%s", b[i], (i < n ? " " : "\n") }'
}

count_for() {
  local base
  case $1 in
    16) base=1000000 ;; 1024) base=500000 ;; 65536) base=20000 ;; 1048576) base=200 ;;
  esac
  awk -v b="$base" -v s="$scale" 'BEGIN { n = int(b * s); print (n < 1 ? 1 : n) }'
}

want() { [[ ",$cases," == *",$1,"* ]]; }

declare -A result
printf 'Messenger over 127.0.0.1, msgr-send -> msgr-recv; original = Debian proton-c 0.37, ours = %s\n' "$OUR_LIB"
printf 'batches of 1024; tracked = windows 2048, one batch in flight; lockstep = windows 1024, send(-1) per batch;\n'
printf 'tracked modes accept every message; best of %s rounds\n\n' "$rounds"
printf '%-6s %-9s %7s | %9s %9s %6s | %8s %8s %6s | %9s %9s | %9s %9s\n' \
  size mode msgs "msgs/s" "" "" "CPU µs/m" "" "" "snd RSS" "MiB" "rcv RSS" "MiB"
printf '%-6s %-9s %7s | %9s %9s %6s | %8s %8s %6s | %9s %9s | %9s %9s\n' \
  "" "" "" orig ours ratio orig ours ratio orig ours orig ours
for spec in 16:16B 1024:1KiB 65536:64KiB 1048576:1MiB; do
  size=${spec%%:*} label=${spec#*:}
  want "$label" || continue
  n=$(count_for "$size")
  for mode in untracked tracked lockstep; do
    o=() u=()
    for _ in $(seq "$rounds"); do
      o+=("$(run_pair orig "$size" "$n" "$mode")")
      u+=("$(run_pair ours "$size" "$n" "$mode")")
    done
    read -r orate ocpu osrss orrss <<<"$(best "${o[@]}")"
    read -r urate ucpu usrss urrss <<<"$(best "${u[@]}")"
    result[$label.$mode]="$orate $urate"
    awk -v l="$label" -v m="$mode" -v n="$n" -v or="$orate" -v ur="$urate" -v oc="$ocpu" \
      -v uc="$ucpu" -v os="$osrss" -v us="$usrss" -v orr="$orrss" -v urr="$urrss" 'BEGIN {
        printf "%-6s %-9s %7d | %9.0f %9.0f %5.2fx | %8.2f %8.2f %5.2fx | %9.1f %9.1f | %9.1f %9.1f\n",
          l, m, n, or, ur, ur / or, oc, uc, oc / uc, os / 1024, us / 1024, orr / 1024, urr / 1024 }'
  done
done
printf '(msgs/s ratio: ours/original, >1 = ours faster; CPU ratio: original/ours, >1 = ours cheaper)\n'

printf '\ntracking cost (untracked msgs/s / tracked msgs/s - 1):\n'
printf '  %-6s %20s %20s\n' "" tracked lockstep
printf '  %-6s %10s %9s %10s %9s\n' "" original ours original ours
for label in 16B 1KiB 64KiB 1MiB; do
  [ -n "${result[$label.untracked]:-}" ] || continue
  read -r ou uu <<<"${result[$label.untracked]}"
  read -r ot ut <<<"${result[$label.tracked]:-0 0}"
  read -r ol ul <<<"${result[$label.lockstep]:-0 0}"
  awk -v l="$label" -v ou="$ou" -v uu="$uu" -v ot="$ot" -v ut="$ut" -v ol="$ol" -v ul="$ul" '
    function cost(u, t) { return t > 0 ? sprintf("%+8.1f %%", (u / t - 1) * 100) : "       -  " }
    BEGIN { printf "  %-6s %10s %9s %10s %9s\n", l, cost(ou, ot), cost(uu, ut), cost(ou, ol), cost(uu, ul) }'
done

if want rtt; then
  n=$(count_for 16)
  n=$((n / 20))
  o=() u=()
  for _ in $(seq "$rounds"); do
    o+=("$(run_rtt orig "$n")")
    u+=("$(run_rtt ours "$n")")
  done
  read -r oavg op50 ocpu <<<"$(best_rtt "${o[@]}")"
  read -r uavg up50 ucpu <<<"$(best_rtt "${u[@]}")"
  printf '\nround trip (%d requests, 16 B, one at a time; best of %s rounds):\n' "$n" "$rounds"
  awk -v oa="$oavg" -v ua="$uavg" -v op="$op50" -v up="$up50" -v oc="$ocpu" -v uc="$ucpu" 'BEGIN {
    printf "  avg µs  original %7.1f  ours %7.1f  (ours/original %.2f)\n", oa, ua, ua / oa
    printf "  p50 µs  original %7.1f  ours %7.1f\n", op, up
    printf "  CPU µs per round trip, both sides  original %6.1f  ours %6.1f\n", oc, uc }'
fi
