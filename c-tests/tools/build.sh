#!/usr/bin/env bash
# Build msgr-send and msgr-recv twice from the same source:
#   OUTDIR/orig/  Debian's proton-c 0.37: /usr/include/proton and -lqpid-proton from /usr/lib
#   OUTDIR/ours/  our headers ($PROTON_INCLUDE, default <repo>/include) and our library
#                 ($PROTON_BUILD_LIB, default <repo>/build/lib), with an rpath to it
# and prove with the compiler's dependency files which headers each build read, and with the
# dynamic loader (ldd) which libqpid-proton.so.11 each binary resolves to. At run time every
# tool also prints the library it mapped (lib= in its summary line, from /proc/self/maps).
#
# Usage: c-tests/tools/build.sh [OUTDIR]     (default <repo>/c-tests/out/tools)
# Env: CC (default gcc), PROTON_INCLUDE, PROTON_BUILD_LIB.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
OUTDIR=${1:-$repo/c-tests/out/tools}
PROTON_INCLUDE=${PROTON_INCLUDE:-$repo/include}
PROTON_BUILD_LIB=${PROTON_BUILD_LIB:-$repo/build/lib}
CC=${CC:-gcc}
CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -DPN_USE_DEPRECATED_API)
SYS_LIB=/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11
TOOLS=(msgr-send msgr-recv)

fail() { echo "tools/build.sh: $*" >&2; exit 1; }

[ -f /usr/include/proton/messenger.h ] || fail "Debian's libqpid-proton11-dev is not installed"
[ -f "$SYS_LIB" ] || fail "$SYS_LIB is missing"
[ -f "$PROTON_INCLUDE/proton/messenger.h" ] || fail "no $PROTON_INCLUDE/proton/messenger.h"
[ -f "$PROTON_BUILD_LIB/libqpid-proton.so.11" ] || fail "no $PROTON_BUILD_LIB/libqpid-proton.so.11 (make all)"
PROTON_BUILD_LIB=$(cd "$PROTON_BUILD_LIB" && pwd)
[ -e "$PROTON_BUILD_LIB/libqpid-proton.so" ] || fail "no $PROTON_BUILD_LIB/libqpid-proton.so link"

mkdir -p "$OUTDIR/orig" "$OUTDIR/ours"
OUTDIR=$(cd "$OUTDIR" && pwd)

# resolved BINARY: the libqpid-proton.so.11 the loader picks for BINARY (no LD_LIBRARY_PATH).
resolved() { env -u LD_LIBRARY_PATH ldd "$1" | sed -n 's/^\s*libqpid-proton\.so\.11 => \(\S*\).*/\1/p'; }

for t in "${TOOLS[@]}"; do
  src=$here/$t.c
  "$CC" "${CFLAGS[@]}" -MD -MF "$OUTDIR/orig/$t.d" -o "$OUTDIR/orig/$t" "$src" -lqpid-proton
  "$CC" "${CFLAGS[@]}" -I "$PROTON_INCLUDE" -MD -MF "$OUTDIR/ours/$t.d" -o "$OUTDIR/ours/$t" "$src" \
    -L "$PROTON_BUILD_LIB" -lqpid-proton -Wl,-rpath,"$PROTON_BUILD_LIB"

  grep -q "/usr/include/proton/messenger.h" "$OUTDIR/orig/$t.d" ||
    fail "orig/$t was not compiled against /usr/include/proton"
  if grep -q "/usr/include/proton/" "$OUTDIR/ours/$t.d"; then
    fail "ours/$t read Debian's headers: $(grep -o '/usr/include/proton/[^ ]*' "$OUTDIR/ours/$t.d" | head -3 | tr '\n' ' ')"
  fi
  grep -q "$PROTON_INCLUDE/proton/messenger.h" "$OUTDIR/ours/$t.d" ||
    fail "ours/$t was not compiled against $PROTON_INCLUDE/proton"

  lib=$(resolved "$OUTDIR/orig/$t")
  [ "$(readlink -f "$lib")" = "$(readlink -f "$SYS_LIB")" ] || fail "orig/$t resolves libqpid-proton.so.11 to '$lib'"
  lib=$(resolved "$OUTDIR/ours/$t")
  [ "$lib" = "$PROTON_BUILD_LIB/libqpid-proton.so.11" ] || fail "ours/$t resolves libqpid-proton.so.11 to '$lib'"
done
echo "tools/build.sh: built ${TOOLS[*]} in $OUTDIR/orig (Debian) and $OUTDIR/ours ($PROTON_BUILD_LIB)"
