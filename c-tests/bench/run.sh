#!/usr/bin/env bash
# run.sh - codec/message benchmark: Debian's proton-c 0.37 vs ours, same run.
#
# Builds codec_bench (against the installed <proton/*.h>, linked with
# -lqpid-proton) and the malloc_count.so LD_PRELOAD shim, then runs the bench
# alternately against the original library (system path) and ours
# (LD_LIBRARY_PATH=$PROTON_BUILD_LIB), ROUNDS times each, and prints the best
# ns/op per side, the speed ratio (original/ours, >1 = ours faster) and
# allocations/op.
#
# It is a benchmark, not a test: it never fails because of speed. Exit status:
#   0  ran (ours may be absent: then only the original is measured, with a note)
#   1  a run crashed / failed its sanity checks, the "ours" run did not map our
#      library, ours lacks symbols the bench needs, or the msg_encode bytes of
#      the two libraries differ
#   2  usage or build error
#
# Usage: c-tests/bench/run.sh [-t seconds_per_case] [-r rounds] [-c cases]
# Env:   PROTON_BUILD_LIB  dir holding our libqpid-proton.so.11 (default $repo/build/lib)
#        BENCH_SECONDS     same as -t (default 0.5)
#        BENCH_ROUNDS      same as -r (default 3)
#        CC                compiler (default cc)
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PROTON_BUILD_LIB=${PROTON_BUILD_LIB:-$repo/build/lib}
secs=${BENCH_SECONDS:-0.5}
rounds=${BENCH_ROUNDS:-3}
cases=""
CC=${CC:-cc}

while [ $# -gt 0 ]; do
  case "$1" in
    -t) secs=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -c) cases=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/codec_bench.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

bench=$work/codec_bench
shim=$work/malloc_count.so

# Build against Debian's headers (default include path; never the repo's
# include/), link with the original -lqpid-proton.
if ! $CC -O2 -g -Wall -Wextra -o "$bench" "$here/codec_bench.c" -lqpid-proton -ldl; then
  echo "run.sh: building codec_bench failed" >&2; exit 2
fi
if ! $CC -O2 -Wall -Wextra -fPIC -shared -o "$shim" "$here/malloc_count.c" -ldl; then
  echo "run.sh: building malloc_count.so failed" >&2; exit 2
fi

bench_args=(-t "$secs")
[ -n "$cases" ] && bench_args+=(-c "$cases")
ours_args=("${bench_args[@]}")

ours_lib=$PROTON_BUILD_LIB/libqpid-proton.so.11
have_ours=1
status=0
if [ ! -e "$ours_lib" ]; then
  have_ours=0
  echo "NOTE: $ours_lib not found; measuring the original only."
  echo "      (build ours: cargo build --release && mkdir -p build/lib &&"
  echo "       cp target/release/libqpid_proton.so build/lib/libqpid-proton.so.11)"
else
  ours_real=$(readlink -f "$ours_lib")
  # Symbols the bench imports that ours does not define -> it cannot run.
  missing=$(comm -23 \
    <(nm -D --undefined-only "$bench" | awk '{print $NF}' | grep '^pn_' | sed 's/@.*//' | sort -u) \
    <(nm -D --defined-only "$ours_real" | awk '{print $NF}' | sed 's/@.*//' | sort -u))
  if [ -n "$missing" ]; then
    echo "FAIL: ours ($ours_real) lacks symbols the bench uses:"
    echo "$missing" | sed 's/^/  /'
    status=1
    # Symbols are bound lazily: if only pn_message_* is missing, ours can
    # still run the pn_data cases.
    partial=""
    if [ -z "$(echo "$missing" | grep -v '^pn_message')" ]; then
      for c in data_encode data_decode; do
        if [ -z "$cases" ] || [[ ",$cases," == *",$c,"* ]]; then
          partial=${partial:+$partial,}$c
        fi
      done
    fi
    if [ -n "$partial" ]; then
      echo "      running ours on the pn_data cases only ($partial)."
      ours_args=(-t "$secs" -c "$partial")
    else
      echo "      measuring the original only."
      have_ours=0
    fi
  fi
fi

# run_one <side> <round>: run the bench, check it, keep its output.
run_one() {
  local side=$1 r=$2 out=$work/$1.$2 rc lib
  if [ "$side" = orig ]; then
    env -u LD_LIBRARY_PATH LD_PRELOAD="$shim" "$bench" "${bench_args[@]}" >"$out" 2>"$out.err"
  else
    env LD_LIBRARY_PATH="$PROTON_BUILD_LIB" LD_PRELOAD="$shim" "$bench" "${ours_args[@]}" >"$out" 2>"$out.err"
  fi
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: $side run $r exited with status $rc"
    sed 's/^/  | /' "$out.err" | tail -20
    return 1
  fi
  lib=$(awk '$1=="LIB"{print $2}' "$out")
  if [ "$side" = ours ] && [ "$lib" != "$ours_real" ]; then
    echo "FAIL: ours run mapped '$lib', expected '$ours_real'"
    return 1
  fi
  if [ "$side" = orig ] && [ $have_ours -eq 1 ] && [ "$lib" = "$ours_real" ]; then
    echo "FAIL: original run mapped our library '$lib'"
    return 1
  fi
  return 0
}

echo "codec bench: $rounds round(s) per side, ~${secs}s per case, best of rounds"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') x$(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "repo: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"

for r in $(seq 1 "$rounds"); do
  run_one orig "$r" || exit 1
  if [ $have_ours -eq 1 ]; then
    run_one ours "$r" || exit 1
  fi
done

echo "original: $(awk '$1=="LIB"{print $2}' "$work/orig.1")"
[ $have_ours -eq 1 ] && echo "ours:     $(awk '$1=="LIB"{print $2}' "$work/ours.1")"
[ "$(awk '$1=="ALLOC_COUNTER"{print $2}' "$work/orig.1")" = yes ] \
  || echo "NOTE: allocation counter not active (n/a)"

# Encodings: msg_encode must be byte-identical; data_encode is informational.
enc() { awk -v c="$2" '$1=="ENCODING" && $2==c {print $3, $4}' "$work/$1.1"; }
show() { local e; e=$(enc "$@"); echo "${e:-(not run)}"; }
echo "encoding msg_encode  original: $(show orig msg_encode)"
[ $have_ours -eq 1 ] && echo "encoding msg_encode  ours:     $(show ours msg_encode)"
echo "encoding data_encode original: $(show orig data_encode)"
[ $have_ours -eq 1 ] && echo "encoding data_encode ours:     $(show ours data_encode)"
if [ $have_ours -eq 1 ]; then
  if [ -z "$(enc ours msg_encode)" ] || [ -z "$(enc orig msg_encode)" ]; then
    echo "NOTE: msg_encode bytes not compared (case not run on both sides)"
  elif [ "$(enc orig msg_encode)" != "$(enc ours msg_encode)" ]; then
    echo "FAIL: msg_encode bytes differ between the libraries; hex:"
    hex_o=$(env -u LD_LIBRARY_PATH "$bench" -n 1 -c msg_encode -d | awk '$1=="HEX" && $2=="msg_encode"{print $3}')
    hex_u=$(env LD_LIBRARY_PATH="$PROTON_BUILD_LIB" "$bench" -n 1 -c msg_encode -d | awk '$1=="HEX" && $2=="msg_encode"{print $3}')
    echo "  original $hex_o"
    echo "  ours     $hex_u"
    awk -v a="$hex_o" -v b="$hex_u" 'BEGIN {
      for (i = 1; i <= length(a) || i <= length(b); i += 2)
        if (substr(a, i, 2) != substr(b, i, 2)) { printf "  first difference at byte offset %d\n", (i - 1) / 2; exit }
    }'
    status=1
  fi
  if [ -n "$(enc ours data_encode)" ] && [ "$(enc orig data_encode)" != "$(enc ours data_encode)" ]; then
    echo "WARNING: data_encode bytes differ between the libraries (not fatal)"
  fi
fi

# Table: best (lowest) ns/op per side over the rounds; allocs/op of that run.
echo
files=("$work"/orig.*[0-9])
[ $have_ours -eq 1 ] && files+=("$work"/ours.*[0-9])
awk -v have_ours=$have_ours '
  FNR == 1 { side = FILENAME; sub(/.*\//, "", side); sub(/\..*/, "", side) }
  $1 == "CASE" {
    name = $2
    for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    ns = f["ns_per_op"] + 0
    if (!((side, name) in best) || ns < best[side, name]) {
      best[side, name] = ns; allocs[side, name] = f["allocs_per_op"]
    }
    if (!(name in seen)) { seen[name] = 1; order[++n] = name }
  }
  function ratio(o, u) {
    if (o == "n/a" || u == "n/a") return "n/a"
    if (u + 0 == 0) return (o + 0 == 0) ? "=" : "inf"
    if (o + 0 == 0) return "worse"
    return sprintf("%.2fx", o / u)
  }
  END {
    if (have_ours) {
      printf "%-24s %12s %12s %8s %10s %10s %8s\n", "case", "orig ns/op", "ours ns/op", "speed", "orig allocs", "ours allocs", "allocs"
      for (i = 1; i <= n; i++) {
        c = order[i]
        if (("ours", c) in best)
          printf "%-24s %12.1f %12.1f %8s %10s %10s %8s\n", c, best["orig", c], best["ours", c],
            ratio(best["orig", c], best["ours", c]), allocs["orig", c], allocs["ours", c],
            ratio(allocs["orig", c], allocs["ours", c])
        else
          printf "%-24s %12.1f %12s %8s %10s %10s %8s\n", c, best["orig", c], "-", "-", allocs["orig", c], "-", "-"
      }
      print "speed = original ns/op / ours ns/op (>1: ours faster); allocs = original allocs/op / ours allocs/op (>1: ours fewer; =: both 0; inf: only ours 0; worse: only original 0)"
    } else {
      printf "%-24s %12s %10s\n", "case", "orig ns/op", "orig allocs"
      for (i = 1; i <= n; i++) {
        c = order[i]
        printf "%-24s %12.1f %10s\n", c, best["orig", c], allocs["orig", c]
      }
    }
  }' "${files[@]}"

exit $status
