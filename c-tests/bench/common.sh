# common.sh - what the messenger benchmarks share (sourced by messenger.sh and tls.sh).
#
# bench_init NAME DEFAULT_CASES "$@": paths and environment, the command line
# (-r rounds, -s scale, -c cases, -h: the script's head comment), a work directory removed
# on exit (with every process procs.sh started), c-tests/tools built against both
# libraries in $work/tools/{orig,ours}. Sets here, repo, rounds, scale, cases, work,
# SYS_LIB, OUR_LIB, GUARD_S.
# field FILE NAME: the last NAME=value in FILE.
# check_summary FILE KIND: the tool's summary says result=ok and it mapped KIND's library.

bench_init() {
  bench_name=$1 cases=$2
  shift 2
  repo=$(cd "$here/../.." && pwd)
  export PROTON_BUILD_LIB=${PROTON_BUILD_LIB:-$repo/build/lib}
  export PROTON_INCLUDE=${PROTON_INCLUDE:-$repo/include}
  rounds=${BENCH_ROUNDS:-3}
  scale=${BENCH_SCALE:-1}
  while [ $# -gt 0 ]; do
    case "$1" in
      -r) rounds=$2; shift 2 ;;
      -s) scale=$2; shift 2 ;;
      -c) cases=$2; shift 2 ;;
      -h | --help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "$bench_name: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  GUARD_S=600
  # shellcheck source=../tools/procs.sh
  source "$repo/c-tests/tools/procs.sh"
  work=$(mktemp -d "${TMPDIR:-/tmp}/${bench_name%.sh}_bench.XXXXXX")
  trap 'stop_all; rm -rf "$work"' EXIT
  bash "$repo/c-tests/tools/build.sh" "$work/tools" >/dev/null
  SYS_LIB=$(readlink -f /usr/lib/x86_64-linux-gnu/libqpid-proton.so.11)
  OUR_LIB=$(readlink -f "$PROTON_BUILD_LIB/libqpid-proton.so.11")
}

die() { echo "$bench_name: $*" >&2; exit 1; }

# Error text may follow a summary line: take the last occurrence of the field.
field() { grep -o " $2=[^ ]*" "$1" | tail -n 1 | cut -d= -f2-; }

check_summary() {
  local lib want=$OUR_LIB
  [ "$(field "$1" result)" = ok ] || { cat "$1" >&2; die "a run failed ($1)"; }
  lib=$(readlink -f "$(field "$1" lib)")
  [ "$2" = orig ] && want=$SYS_LIB
  [ "$lib" = "$want" ] || die "$1 mapped $lib, not $want"
}
