#!/usr/bin/env bash
# Bounded libFuzzer run of every target in fuzz/ (cargo-fuzz), seeded from proton's own
# fuzzing inputs in ../shared/fuzz-corpus and from fuzz/regressions/.
#
#   scripts/fuzz.sh [SECONDS]        SECONDS in all, split across the targets (default 60)
#
# Environment:
#   FUZZ_TARGETS="a b"   only these targets (default: all five)
#   FUZZ_CORPUS=DIR      proton's corpus folder (default: <repo>/../shared/fuzz-corpus)
#   FUZZ_JOBS=N          libFuzzer workers per target (default 1)
#   FUZZ_ARGS="..."      extra libFuzzer flags
#
# Installs cargo-fuzz if it is missing. Works on the stable toolchain: cargo-fuzz passes
# -Z flags (sanitizer, coverage), which RUSTC_BOOTSTRAP=1 lets through.
# Scratch space (never committed): target/fuzz/{seeds,corpus,artifacts}/<target>; the
# corpus folder keeps what the fuzzer found, so later runs start from it.
# Exits non-zero if any target found a crash, leak, timeout or out-of-memory input, and
# prints the input's path: minimise it (`cargo fuzz tmin`), save it under
# fuzz/regressions/<target>/ and tests/engine_corpus.rs replays it in `cargo test`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
total="${1:-60}"
case "$total" in
  '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$total'" >&2; exit 2 ;;
esac
targets=(${FUZZ_TARGETS:-frame_decoder connection_client connection_server connection_script message_decode})
corpus="${FUZZ_CORPUS:-$root/../shared/fuzz-corpus}"
jobs="${FUZZ_JOBS:-1}"
scratch="$root/target/fuzz"

if [ ! -d "$corpus/fuzz-connection-driver" ]; then
  echo "fuzz.sh: proton's fuzz corpus is missing: expected $corpus/fuzz-connection-driver" >&2
  exit 1
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz needs unstable rustc flags; on a nightly toolchain this changes nothing.
export RUSTC_BOOTSTRAP=1

# --- seeds --------------------------------------------------------------------------
# Connection inputs start with 2 plan bytes (see fuzz/src/harness.rs `Plan`); proton's
# streams get a few plans each: whole and answered, 7-byte chunks with a receiving link,
# 1-byte chunks interleaved with output and timers, SASL with tracing.
prefixed() { # SRC DST PREFIX-ESCAPES
  { printf "$3"; cat "$1"; } >"$2"
}

seed_dir() { echo "$scratch/seeds/$1"; }
rm -rf "$scratch/seeds"
for t in "${targets[@]}"; do
  mkdir -p "$(seed_dir "$t")" "$scratch/corpus/$t" "$scratch/artifacts/$t"
  if [ -d "$root/fuzz/regressions/$t" ]; then
    cp "$root/fuzz/regressions/$t"/* "$(seed_dir "$t")/" 2>/dev/null || true
  fi
  case "$t" in
    frame_decoder)
      for d in fuzz-connection-driver fuzz-proactor-receive; do
        for f in "$corpus/$d"/*/*; do cp "$f" "$(seed_dir "$t")/$d-$(basename "$f")"; done
      done
      ;;
    message_decode)
      for f in "$corpus/fuzz-message-decode"/*/*; do
        cp "$f" "$(seed_dir "$t")/$(basename "$(dirname "$f")")-$(basename "$f")"
      done
      ;;
    connection_client | connection_server)
      for d in fuzz-connection-driver fuzz-proactor-receive; do
        # plan 0x00 0x00: open, whole, answered; 0x14: receiver, 7-byte chunks, compared
        # with the whole run.
        first='\x00\x00'
        [ "$d" = fuzz-proactor-receive ] && first='\x14\x00'
        i=0
        for f in "$corpus/$d"/*/*; do
          name="$d-$(basename "$f")"
          prefixed "$f" "$(seed_dir "$t")/$name" "$first"
          case $((i % 4)) in
            1) prefixed "$f" "$(seed_dir "$t")/$name-i1" '\x09\x03' ;; # 1-byte, interleaved, timers
            2) prefixed "$f" "$(seed_dir "$t")/$name-s" '\x20\x0d' ;;  # sender, SASL, trace, small frames
            3) prefixed "$f" "$(seed_dir "$t")/$name-p" '\x73\x00' ;;  # idle, passive, 3-byte chunks
          esac
          i=$((i + 1))
        done
      done
      ;;
    connection_script)
      # Any bytes are a script (byte 0: side, 1-2: plan); proton's streams make varied ones.
      for f in $(ls "$corpus/fuzz-connection-driver/corpus"/* | head -64); do
        cp "$f" "$(seed_dir "$t")/script-$(basename "$f")"
      done
      ;;
    *) echo "fuzz.sh: unknown target $t" >&2; exit 2 ;;
  esac
done

# --- build and run ----------------------------------------------------------------------
cd "$root/fuzz"
echo "fuzz.sh: building ${targets[*]}"
# Built once, then the binaries run directly: a source change during the run does not
# trigger a rebuild half way through.
if ! cargo fuzz build >"$scratch/build.log" 2>&1; then
  tail -30 "$scratch/build.log" >&2
  echo "fuzz.sh: the fuzz targets do not build (log $scratch/build.log)" >&2
  exit 1
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$root/fuzz/target/$triple/release"

per=$((total / ${#targets[@]}))
[ "$per" -lt 1 ] && per=1
failed=()
for t in "${targets[@]}"; do
  art="$scratch/artifacts/$t"
  rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*
  log="$scratch/$t.log"
  echo "fuzz.sh: $t for ${per}s ($(ls "$(seed_dir "$t")" | wc -l) seeds, log $log)"
  set +e
  # shellcheck disable=SC2086
  dict=()
  [ "$t" != connection_script ] && dict=(-dict="$root/fuzz/amqp.dict")
  "$bin_dir/$t" "$scratch/corpus/$t" "$(seed_dir "$t")" "${dict[@]}" \
    -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -max_len=65536 $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") -print_final_stats=1 \
    -artifact_prefix="$art/" ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added)' "$log" | tr '\n' ' ' || true
  echo
  found=$(ls "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* 2>/dev/null || true)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    failed+=("$t")
    echo "fuzz.sh: $t FAILED (exit $rc); see $log"
    grep -m 5 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" || true
    for f in $found; do echo "fuzz.sh: crash input: $f"; done
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: crashes in ${failed[*]}; minimise with" \
    "'cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> <input>', save under" \
    "fuzz/regressions/<target>/ and fix" >&2
  exit 1
fi
echo "fuzz.sh: no crashes (${#targets[@]} targets, ${per}s each)"
