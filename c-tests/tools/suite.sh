# Set-up shared by the suites that run the msgr tools (interop, brokers, soak; sourced).
#
#   suite_init NAME ARGS...   out=c-tests/out/NAME (fresh logs/), only=(ARGS), the tools built
#                             twice in $out/tools (build.sh), DEBIAN_LIB and OUR_LIB resolved
#   tool FLAVOUR NAME         the command prefix that runs tool NAME as FLAVOUR: debian
#                             (Debian's build and library), ours (our build and library) or
#                             drop-in (the Debian build on our library)
#   lib_of FLAVOUR            the library a process of that flavour must have loaded
#   wanted SECTION [CASE]     whether the command line (ARGS) asks for it (none: all)
#   fail_case NAME TEXT [DIR] count a failure, print TEXT and the tail of each log in DIR
#                             (default $out/logs/NAME); passed, failed and failures
#                             (the names) are the counts suite_init starts
# Needs `here` (the suite's directory) and `repo` set by the caller; also sources procs.sh
# (which needs GUARD_S).

PROTON_BUILD_LIB=${PROTON_BUILD_LIB:-$repo/build/lib}
export PROTON_BUILD_LIB PROTON_INCLUDE=${PROTON_INCLUDE:-$repo/include}
source "$repo/c-tests/tools/procs.sh"

suite_init() {
  out=$repo/c-tests/out/$1
  tools=$out/tools
  shift
  only=("$@")
  rm -rf "$out/logs"
  mkdir -p "$out/logs"
  bash "$repo/c-tests/tools/build.sh" "$tools"
  DEBIAN_LIB=$(readlink -f /usr/lib/x86_64-linux-gnu/libqpid-proton.so.11)
  OUR_LIB=$(readlink -f "$PROTON_BUILD_LIB/libqpid-proton.so.11")
  passed=0
  failed=0
  failures=()
}

wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local n
  for n in "${only[@]}"; do [ "$n" = "$1" ] || [ "$n" = "${2-}" ] && return 0; done
  return 1
}

fail_case() {
  failed=$((failed + 1))
  failures+=("$1")
  printf 'FAIL  %s\n' "$1"
  printf '%s' "$2" | sed 's/^/      /'
  local f
  for f in "${3:-$out/logs/$1}"/*.log; do
    [ -f "$f" ] || continue
    echo "      --- $(basename "$f") (last 15 lines)"
    tail -n 15 "$f" | sed 's/^/      | /'
  done
}

tool() {
  case "$1" in
    debian) echo "env -u LD_LIBRARY_PATH $tools/orig/$2" ;;
    ours) echo "env -u LD_LIBRARY_PATH $tools/ours/$2" ;;
    drop-in) echo "env LD_LIBRARY_PATH=$PROTON_BUILD_LIB $tools/orig/$2" ;;
  esac
}

lib_of() { if [ "$1" = debian ]; then echo "$DEBIAN_LIB"; else echo "$OUR_LIB"; fi; }
