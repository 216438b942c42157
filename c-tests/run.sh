#!/usr/bin/env bash
# Differential C tests: our libqpid-proton.so.11 against Debian's proton-c 0.37 (the oracle).
#
# For every program c-tests/diff/NAME.c:
#   A  build with the system headers and -lqpid-proton (Debian), run   -> expected output
#   B  build with $PROTON_INCLUDE and -L$PROTON_BUILD_LIB, run with LD_LIBRARY_PATH=$PROTON_BUILD_LIB
#                                                                     -> must equal A
#   C  run binary A with LD_LIBRARY_PATH=$PROTON_BUILD_LIB (drop-in)  -> must equal A
# Each run's dynamic loader log proves which libqpid-proton.so.11 was really loaded.
# Lines starting with "~" are informational and are dropped before comparing (see
# diff/common.h).  Then c-tests/null/null_args.c (NULL arguments) and c-tests/fuzz/
# message_corpus.c (proton's fuzz corpus through pn_message_decode), both on our library only
# under ASan+UBSan, the examples of messengers in the application's own poll/select loop
# (c-tests/examples/check.sh, C and Python, on both libraries), the checks of the suites'
# process helpers (c-tests/tools/procs_test.sh), and a static check that the programs call
# every function of types.h, error.h, codec.h and message.h.
#
# Usage: c-tests/run.sh [--oracle-only] [NAME...]
#   --oracle-only   build and run A only (develop tests against the original)
#   NAME...         only these checks (file names in diff/ without .c; "null", "fuzz", "examples",
#                   "procs", "coverage")
# Env: PROTON_BUILD_LIB (dir with our libqpid-proton.so.11 and libqpid-proton.so; default
#      <repo>/build/lib), PROTON_INCLUDE (our headers; default <repo>/include),
#      INTEROP_DIR (default /work/shared/interop), FUZZ_DIR (default
#      /work/shared/fuzz-corpus/fuzz-message-decode), CC (default gcc).
# Prints one line per check and finally "N passed, N failed"; exits 1 on any failure.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
PROTON_BUILD_LIB=${PROTON_BUILD_LIB:-$repo/build/lib}
PROTON_INCLUDE=${PROTON_INCLUDE:-$repo/include}
INTEROP_DIR=${INTEROP_DIR:-/work/shared/interop}
FUZZ_DIR=${FUZZ_DIR:-/work/shared/fuzz-corpus/fuzz-message-decode}
CC=${CC:-gcc}
out=$here/out
CFLAGS=(-std=gnu11 -O1 -g -Wall -Wextra -Werror)
SYS_LIBDIR=/usr/lib/x86_64-linux-gnu
SYS_LIB=$SYS_LIBDIR/libqpid-proton.so.11
SYS_HEADERS=/usr/include/proton
RUN_TIMEOUT=${RUN_TIMEOUT:-120}

oracle_only=0
only=()
for arg in "$@"; do
  case "$arg" in
    --oracle-only) oracle_only=1 ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) only+=("$arg") ;;
  esac
done

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$1"; }
fail() {
  failed=$((failed + 1))
  printf 'FAIL  %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/      /'; fi
}

wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local n
  for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

# Arguments a program needs.
args_for() {
  case "$1" in
    interop_decode) echo "$INTEROP_DIR" ;;
    messenger_tls) echo "$out/certs" ;;
    *) echo "" ;;
  esac
}

# The path of libqpid-proton.so.11 that the loader initialised, from an LD_DEBUG=libs log.
loaded_lib() {
  cat "$1".* 2>/dev/null | sed -n 's/.*calling init: \(.*libqpid-proton\.so\.11\)$/\1/p' | head -1
}

same_file() { [ -e "$1" ] && [ -e "$2" ] && [ "$(readlink -f "$1")" = "$(readlink -f "$2")" ]; }

# Run binary $1 with library dir $2 ("" = system) writing stdout to $3; $4 = expected library
# file; remaining = program args.  Sets run_msg on failure; returns 0 when it ran cleanly.
run_prog() {
  local bin=$1 libdir=$2 outfile=$3 expect_lib=$4
  shift 4
  local dbg=$outfile.lddebug
  rm -f "$dbg".*
  local rc
  if [ -n "$libdir" ]; then
    LD_LIBRARY_PATH=$libdir LD_DEBUG=libs LD_DEBUG_OUTPUT=$dbg timeout "$RUN_TIMEOUT" "$bin" "$@" \
      >"$outfile" 2>"$outfile.stderr"
    rc=$?
  else
    env -u LD_LIBRARY_PATH LD_DEBUG=libs LD_DEBUG_OUTPUT=$dbg timeout "$RUN_TIMEOUT" "$bin" "$@" \
      >"$outfile" 2>"$outfile.stderr"
    rc=$?
  fi
  local lib
  lib=$(loaded_lib "$dbg")
  rm -f "$dbg".*
  if [ "$rc" -ne 0 ]; then
    local why="exit status $rc"
    [ "$rc" -eq 124 ] && why="timed out after ${RUN_TIMEOUT}s"
    [ "$rc" -gt 128 ] && [ "$rc" -ne 124 ] && why="killed by signal $((rc - 128))"
    run_msg="$why; last stderr lines:
$(tail -n 8 "$outfile.stderr")"
    return 1
  fi
  if [ -z "$lib" ]; then
    run_msg="could not tell which libqpid-proton.so.11 was loaded (LD_DEBUG log empty)"
    return 1
  fi
  if ! same_file "$lib" "$expect_lib"; then
    run_msg="loaded $lib, expected $expect_lib"
    return 1
  fi
  return 0
}

compare() {
  local name=$1 expected=$2 actual=$3
  local d
  d=$(diff -u --label "expected (Debian 0.37)" --label "actual" <(grep -v '^~' "$expected") <(grep -v '^~' "$actual"))
  if [ -z "$d" ]; then
    pass "$name"
  else
    fail "$name" "$(printf '%s\n' "$d" | head -n 40)
$(printf '%s\n' "$d" | grep -c '^[-+][^-+]') differing lines; full outputs: $expected $actual"
  fi
}

# Every proton header a compilation unit includes, resolved by the preprocessor.
proton_headers_used() {
  "$CC" "${CFLAGS[@]}" "$@" -M -MT x 2>/dev/null | tr ' \\' '\n\n' | grep '/proton/[^/]*\.h$' | sort -u
}

mkdir -p "$out/A" "$out/B" "$out/expected" "$out/actual" "$out/null"

# ---- preconditions ------------------------------------------------------------------------
oracle_ok=1
if [ ! -f "$SYS_HEADERS/codec.h" ] || [ ! -e "$SYS_LIB" ] || [ ! -e "$SYS_LIBDIR/libqpid-proton.so" ]; then
  fail "oracle present" "Debian proton-c 0.37 is missing ($SYS_HEADERS/codec.h, $SYS_LIB); install libqpid-proton11-dev"
  oracle_ok=0
fi

ours_ok=1
ours_msg=""
if [ "$oracle_only" -eq 0 ]; then
  if [ ! -e "$PROTON_BUILD_LIB/libqpid-proton.so.11" ] || [ ! -e "$PROTON_BUILD_LIB/libqpid-proton.so" ]; then
    ours_ok=0
    ours_msg="our library is missing: need $PROTON_BUILD_LIB/libqpid-proton.so.11 and libqpid-proton.so (set PROTON_BUILD_LIB)"
    fail "our library present" "$ours_msg"
  elif same_file "$PROTON_BUILD_LIB/libqpid-proton.so.11" "$SYS_LIB" ||
    cmp -s "$PROTON_BUILD_LIB/libqpid-proton.so.11" "$SYS_LIB"; then
    ours_ok=0
    ours_msg="PROTON_BUILD_LIB holds the system library (or a copy of it), not ours"
    fail "our library present" "$ours_msg"
  fi
fi
OUR_LIB=$PROTON_BUILD_LIB/libqpid-proton.so.11

# ---- differential programs ----------------------------------------------------------------
# messenger_tls needs test certificates (made with the openssl command).
if wanted messenger_tls && ! msg=$(bash "$repo/scripts/gen-test-certs.sh" "$out/certs" 2>&1); then
  fail "test certificates (scripts/gen-test-certs.sh)" "$msg"
fi
for src in "$here"/diff/*.c; do
  name=$(basename "$src" .c)
  wanted "$name" || continue
  read -r -a pargs <<<"$(args_for "$name")"
  if [ "$oracle_ok" -eq 0 ]; then
    fail "$name A (oracle)" "no oracle"
    continue
  fi

  # A: Debian headers + Debian library.
  binA=$out/A/$name
  expected=$out/expected/$name.txt
  hdrs=$(proton_headers_used "$src" | grep -v "^$SYS_HEADERS/")
  if [ -n "$hdrs" ]; then
    fail "$name A build" "proton headers outside $SYS_HEADERS: $hdrs"
    continue
  fi
  if ! msg=$("$CC" "${CFLAGS[@]}" -o "$binA" "$src" -lqpid-proton -lm 2>&1); then
    fail "$name A build (Debian headers)" "$msg"
    continue
  fi
  if ! run_prog "$binA" "" "$expected" "$SYS_LIB" "${pargs[@]}"; then
    fail "$name A run (Debian library)" "$run_msg"
    continue
  fi
  pass "$name A (oracle, $(grep -vc '^~' "$expected") lines)"
  [ "$oracle_only" -eq 1 ] && continue

  # B: our headers + our library.
  binB=$out/B/$name
  actualB=$out/actual/$name.B.txt
  if [ "$ours_ok" -eq 0 ]; then
    fail "$name B" "$ours_msg"
  else
    bflags=(-DPN_USE_DEPRECATED_API -I"$PROTON_INCLUDE")
    missing=$(proton_headers_used "${bflags[@]}" "$src" | grep -v "^$(readlink -f "$PROTON_INCLUDE")/\|^$PROTON_INCLUDE/")
    if [ -n "$missing" ]; then
      fail "$name B build (our headers)" "these proton headers are not in PROTON_INCLUDE=$PROTON_INCLUDE (the compiler fell back to the system ones): $(echo $missing)"
    elif ! msg=$("$CC" "${CFLAGS[@]}" "${bflags[@]}" -o "$binB" "$src" -L"$PROTON_BUILD_LIB" -lqpid-proton -lm 2>&1); then
      fail "$name B build (our headers)" "$(printf '%s\n' "$msg" | head -n 30)"
    elif ! run_prog "$binB" "$PROTON_BUILD_LIB" "$actualB" "$OUR_LIB" "${pargs[@]}"; then
      fail "$name B run (our headers + our library)" "$run_msg"
    else
      compare "$name B (our headers + our library)" "$expected" "$actualB"
    fi
  fi

  # C: the Debian-built binary on our library.
  actualC=$out/actual/$name.C.txt
  if [ "$ours_ok" -eq 0 ]; then
    fail "$name C" "$ours_msg"
  elif ! run_prog "$binA" "$PROTON_BUILD_LIB" "$actualC" "$OUR_LIB" "${pargs[@]}"; then
    fail "$name C run (Debian-built binary on our library)" "$run_msg"
  else
    compare "$name C (Debian-built binary on our library)" "$expected" "$actualC"
  fi
done

# ---- NULL arguments, our library only -----------------------------------------------------
if [ "$oracle_only" -eq 0 ] && wanted null; then
  src=$here/null/null_args.c
  bin=$out/null/null_args
  if [ "$ours_ok" -eq 0 ]; then
    fail "null_args" "$ours_msg"
  elif ! msg=$("$CC" "${CFLAGS[@]}" -fsanitize=address,undefined -fno-sanitize-recover=undefined \
      -fno-omit-frame-pointer -o "$bin" "$src" -L"$PROTON_BUILD_LIB" -lqpid-proton 2>&1); then
    fail "null_args build" "$msg"
  elif ! ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
      UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
      run_prog "$bin" "$PROTON_BUILD_LIB" "$out/null/null_args.txt" "$OUR_LIB"; then
    fail "null_args (our library, ASan+UBSan)" "$run_msg
$(grep -E '^(FAIL|not ok)' "$out/null/null_args.txt" | head -n 30)
$(tail -n 1 "$out/null/null_args.txt")"
  else
    pass "null_args (our library, ASan+UBSan): $(tail -n 1 "$out/null/null_args.txt")"
  fi
fi

# ---- fuzz corpus through message decode, our library only ---------------------------------
if [ "$oracle_only" -eq 0 ] && wanted fuzz; then
  src=$here/fuzz/message_corpus.c
  bin=$out/fuzz/message_corpus
  mkdir -p "$out/fuzz"
  dirs=("$FUZZ_DIR/corpus" "$FUZZ_DIR/crash")
  if [ ! -d "${dirs[0]}" ] || [ ! -d "${dirs[1]}" ]; then
    fail "message_corpus" "fuzz corpus missing: ${dirs[*]} (set FUZZ_DIR)"
  elif [ "$ours_ok" -eq 0 ]; then
    fail "message_corpus" "$ours_msg"
  elif ! msg=$("$CC" "${CFLAGS[@]}" -fsanitize=address,undefined -fno-sanitize-recover=undefined \
      -fno-omit-frame-pointer -o "$bin" "$src" -L"$PROTON_BUILD_LIB" -lqpid-proton 2>&1); then
    fail "message_corpus build" "$msg"
  elif ! ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
      UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
      run_prog "$bin" "$PROTON_BUILD_LIB" "$out/fuzz/message_corpus.txt" "$OUR_LIB" "${dirs[@]}"; then
    fail "message_corpus (our library, ASan+UBSan)" "$run_msg
last file reached: $(tail -n 1 "$out/fuzz/message_corpus.txt" | cut -d: -f1)"
  else
    pass "message_corpus (our library, ASan+UBSan): $(tail -n 1 "$out/fuzz/message_corpus.txt") decoded without a crash, leak or UB"
  fi
fi

# ---- examples: messengers in the application's own poll/select loop, C and Python ----------
if [ "$oracle_only" -eq 0 ] && wanted examples; then
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) pass "examples: ${line#ok   }" ;;
      "FAIL "*) fail "examples: ${line#FAIL }" ;;
      *) echo "$line" ;;
    esac
  done < <(PROTON_BUILD_LIB=$PROTON_BUILD_LIB PROTON_INCLUDE=$PROTON_INCLUDE CC=$CC \
    bash "$here/examples/check.sh" "$out/examples" 2>&1 || echo "FAIL check.sh exited with an error")
fi

# ---- procs: the process helpers the suites and benchmarks start their processes with -------
if [ "$oracle_only" -eq 0 ] && wanted procs; then
  if msg=$(bash "$here/tools/procs_test.sh" 2>&1); then pass "procs: $msg"
  else fail "procs: c-tests/tools/procs_test.sh" "$msg"; fi
fi

# ---- coverage: every function of the four headers is called --------------------------------
if wanted coverage && [ "$oracle_ok" -eq 1 ]; then
  # the first "pn_xxx(" of each PN_EXTERN declaration (comments removed) is its name
  funcs=$(for h in types error codec message; do
    perl -0777 -ne 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g;
      while (/PN_EXTERN\b([^;]*);/gs) { my $d = $1; print "$1\n" if $d =~ /\b(pn_\w+)\s*\(/ }' \
      "$SYS_HEADERS/$h.h"
  done | sort -u)
  nfuncs=$(printf '%s\n' "$funcs" | grep -c .)
  strip_comments() { perl -0777 -pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' "$@" 2>/dev/null; }
  strip_comments "$here"/diff/*.c "$here"/diff/*.h >"$out/coverage.diff.c"
  strip_comments "$here"/null/*.c >"$out/coverage.null.c"
  diffmissing=""
  nullmissing=""
  for f in $funcs; do
    grep -qw "$f" "$out/coverage.null.c" || nullmissing="$nullmissing $f"
    [ "$f" = pn_message_send ] && continue # needs a link: not in the differential tests
    grep -qw "$f" "$out/coverage.diff.c" || diffmissing="$diffmissing $f"
  done
  for v in pn_bytes_null pn_rwbytes_null; do
    grep -qw "$v" "$out/coverage.diff.c" || diffmissing="$diffmissing $v"
  done
  if [ -z "$diffmissing" ]; then pass "coverage: diff/ calls all $nfuncs functions (pn_message_send excepted)"
  else fail "coverage: diff/ misses functions" "$diffmissing"; fi
  if [ -z "$nullmissing" ]; then pass "coverage: null/ calls all $nfuncs functions"
  else fail "coverage: null/ misses functions" "$nullmissing"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
