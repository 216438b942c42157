#!/usr/bin/env bash
# tls.sh - the Messenger over amqps: Debian's proton-c 0.37 vs ours, side by side in one run.
#
# Throughput: msgr-send -> msgr-recv (c-tests/tools, built against each library) over
# amqps://127.0.0.1 (TLS 1.3 between our tools, what OpenSSL negotiates between Debian's; the
# receiver has the test server certificate, the sender verifies it by name), 1 KiB and 64 KiB
# bodies, untracked (windows 0) and tracked (windows 1024, every message accepted); the
# slower of the two sides' rates, best of ROUNDS. The same over plain amqp for reference.
# Handshake: c-tests/bench/tls_handshake.c, one Debian-built binary run on each library:
# COUNT connections one after another, each TCP connect + TLS handshake + open/attach + one
# tracked message + close; mean and median ms per connection, over amqps and over amqp.
#
# It is a benchmark, not a test: it never fails on speed. Exit 1 if a run fails.
#
# Usage: c-tests/bench/tls.sh [-r rounds] [-s scale] [-c throughput,handshake]
# Env: PROTON_BUILD_LIB (default <repo>/build/lib), PROTON_INCLUDE, BENCH_ROUNDS (3),
#      BENCH_SCALE (1: message counts multiply by it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"
bench_init tls.sh throughput,handshake "$@"
certs=$repo/build/certs
bash "$repo/scripts/gen-test-certs.sh" "$certs"
gcc -O2 -Wall -Wextra -Werror -o "$work/tls_handshake" "$here/tls_handshake.c" -lqpid-proton
server_tls=(-E "$certs/server.pem" -K "$certs/server.key")
client_tls=(-T "$certs/ca.pem")

# run_pair KIND SCHEME SIZE COUNT WINDOW: prints the slower side's msgs/s.
run_pair() {
  local kind=$1 scheme=$2 size=$3 count=$4 window=$5 bin=$work/tools/$1 rc=0
  local rtls=() stls=()
  if [ "$scheme" = amqps ]; then rtls=("${server_tls[@]}") stls=("${client_tls[@]}"); fi
  start_receiver "$work/recv.log" "$bin/msgr-recv" -a "$scheme://~127.0.0.1:@PORT@" -c "$count" \
    -w "$window" -S -t $((GUARD_S * 1000)) "${rtls[@]}" || die "$kind receiver did not start"
  "$bin/msgr-send" -a "$scheme://localhost:$recv_port/bench" -c "$count" -b "$size" -w "$window" \
    -q -S -t $((GUARD_S * 1000)) "${stls[@]}" >"$work/send.log" 2>&1 || rc=$?
  wait_proc "$receiver_pid" || rc=$?
  [ "$rc" = 0 ] || { cat "$work/send.log" "$work/recv.log" >&2; die "$kind $scheme $size B failed"; }
  check_summary "$work/send.log" "$kind"
  check_summary "$work/recv.log" "$kind"
  awk -v s="$(field "$work/send.log" msgs_per_s)" -v r="$(field "$work/recv.log" msgs_per_s)" \
    'BEGIN { printf "%.0f\n", (s < r ? s : r) }'
}

# handshake KIND SCHEME COUNT: prints "avg_ms p50_ms".
handshake() {
  local kind=$1 scheme=$2 count=$3 rc=0 env=(env -u LD_LIBRARY_PATH) rtls=() trust=()
  [ "$kind" = ours ] && env=(env "LD_LIBRARY_PATH=$PROTON_BUILD_LIB")
  if [ "$scheme" = amqps ]; then rtls=("${server_tls[@]}") trust=("$certs/ca.pem"); fi
  start_receiver "$work/recv.log" "$work/tools/$kind/msgr-recv" -a "$scheme://~127.0.0.1:@PORT@" \
    -c "$count" -w 16 -t $((GUARD_S * 1000)) "${rtls[@]}" || die "$kind receiver did not start"
  "${env[@]}" "$work/tls_handshake" "$scheme://localhost:$recv_port/hs" "$count" "${trust[@]}" \
    >"$work/hs.log" 2>&1 || rc=$?
  wait_proc "$receiver_pid" || rc=$?
  [ "$rc" = 0 ] || { cat "$work/hs.log" "$work/recv.log" >&2; die "$kind $scheme handshake failed"; }
  local lib want=$OUR_LIB
  lib=$(readlink -f "$(field "$work/hs.log" lib)")
  [ "$kind" = orig ] && want=$SYS_LIB
  [ "$lib" = "$want" ] || die "handshake run mapped $lib, not $want"
  echo "$(field "$work/hs.log" avg_ms) $(field "$work/hs.log" p50_ms)"
}

max() { printf '%s\n' "$@" | sort -g | tail -n 1; }
min_pairs() { printf '%s\n' "$@" | sort -g -k1,1 | head -n 1; }
n_of() { awk -v b="$1" -v s="$scale" 'BEGIN { n = int(b * s); print (n < 1 ? 1 : n) }'; }

printf 'Messenger over amqps (and amqp for reference), 127.0.0.1; original = Debian proton-c 0.37, ours = %s\n' "$OUR_LIB"
printf 'best of %s rounds; msgs/s = the slower side; ratio = ours/original (>1: ours faster)\n\n' "$rounds"
want() { [[ ",$cases," == *",$1,"* ]]; }
want throughput && printf '%-7s %-6s %-9s %7s | %9s %9s %6s\n' size scheme mode msgs orig ours ratio
want throughput && for spec in 1024:1KiB:50000 65536:64KiB:5000; do
  IFS=: read -r size label base <<<"$spec"
  n=$(n_of "$base")
  for scheme in amqps amqp; do
    for mode in untracked tracked; do
      window=0
      [ "$mode" = tracked ] && window=1024
      o=() u=()
      for _ in $(seq "$rounds"); do
        o+=("$(run_pair orig "$scheme" "$size" "$n" "$window")")
        u+=("$(run_pair ours "$scheme" "$size" "$n" "$window")")
      done
      awk -v l="$label" -v s="$scheme" -v m="$mode" -v n="$n" -v o="$(max "${o[@]}")" \
        -v u="$(max "${u[@]}")" 'BEGIN { printf "%-7s %-6s %-9s %7d | %9.0f %9.0f %5.2fx\n", l, s, m, n, o, u, u / o }'
    done
  done
done

want handshake || exit 0
n=$(n_of 200)
printf '\nconnection set-up, %d connections one after another (connect, handshake, open, one tracked message, close)\n' "$n"
printf '%-6s | %9s %9s %6s | %9s %9s\n' scheme "avg ms" "" ratio "p50 ms" ""
printf '%-6s | %9s %9s %6s | %9s %9s\n' "" orig ours "" orig ours
for scheme in amqps amqp; do
  o=() u=()
  for _ in $(seq "$rounds"); do
    o+=("$(handshake orig "$scheme" "$n")")
    u+=("$(handshake ours "$scheme" "$n")")
  done
  read -r oavg op50 <<<"$(min_pairs "${o[@]}")"
  read -r uavg up50 <<<"$(min_pairs "${u[@]}")"
  awk -v s="$scheme" -v oa="$oavg" -v ua="$uavg" -v op="$op50" -v up="$up50" \
    'BEGIN { printf "%-6s | %9.3f %9.3f %5.2fx | %9.3f %9.3f\n", s, oa, ua, oa / ua, op, up }'
done
printf '(set-up ratio: original/ours, >1 = ours faster)\n'
