# Set-up shared by the suites that run the msgr tools (interop, brokers, soak; sourced).
#
#   suite_init NAME ARGS...   out=c-tests/out/NAME (fresh logs/), only=(ARGS), the tools built
#                             twice in $out/tools (build.sh), DEBIAN_LIB and OUR_LIB resolved
#   tool FLAVOUR NAME         the command prefix that runs tool NAME as FLAVOUR: debian
#                             (Debian's build and library), ours (our build and library) or
#                             drop-in (the Debian build on our library)
#   lib_of FLAVOUR            the library a process of that flavour must have loaded
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
}

tool() {
  case "$1" in
    debian) echo "env -u LD_LIBRARY_PATH $tools/orig/$2" ;;
    ours) echo "env -u LD_LIBRARY_PATH $tools/ours/$2" ;;
    drop-in) echo "env LD_LIBRARY_PATH=$PROTON_BUILD_LIB $tools/orig/$2" ;;
  esac
}

lib_of() { if [ "$1" = debian ]; then echo "$DEBIAN_LIB"; else echo "$OUR_LIB"; fi; }
