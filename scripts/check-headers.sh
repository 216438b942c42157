#!/usr/bin/env bash
# Compile-time checks of our C headers (include/proton/) against proton-c 0.37's.
#
#  1. ABI: scripts/check-abi.c (sizes, offsets, field types, constants) holds for Debian's
#     headers (so the expectations are right) and for ours.
#  2. Each header is self-contained, guarded, and warning-free as C89, C99, C11 and C++11.
#  3. scripts/check-legacy.c (legacy code including only <proton/message.h>) builds with
#     -Wall -Wextra -Werror.
#  4. Prototypes: every function Debian declares in the headers of scripts/api-headers is
#     declared by ours, with a compatible type (Debian's declarations are repeated after ours:
#     any difference is a "conflicting types" error).
#  5. messenger.h functions are deprecated (a warning) unless PN_USE_DEPRECATED_API is defined.
# Every compile against ours must read no file from /usr/include/proton.
#
# Usage: scripts/check-headers.sh     Env: PROTON_INCLUDE (default: include), CC, CXX
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
inc=${PROTON_INCLUDE:-$root/include}
CC=${CC:-gcc}
CXX=${CXX:-g++}
warn=(-Wall -Wextra -Werror)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t api < <(grep -v '^#' "$here/api-headers" | sed '/^$/d')

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL $1"
  # Only the diagnostics themselves: one line each.
  grep -E 'error|warning|/usr/include/proton' "$tmp/log" | sed 's/^/       /' | head -n 60
  failed=$((failed + 1))
}

# compile NAME COMPILER ARGS...: compile against our headers and check none came from Debian.
compile() {
  local name=$1
  shift
  if ! "$@" -I "$inc" -c -o "$tmp/out.o" -MD -MF "$tmp/deps" >"$tmp/log" 2>&1; then
    fail "$name"
    return 1
  fi
  if grep -o '/usr/include/proton/[^ ]*' "$tmp/deps" | sort -u >"$tmp/log" && [ -s "$tmp/log" ]; then
    fail "$name (read Debian's headers)"
    return 1
  fi
  ok "$name"
}

# 1. ABI
if $CC -std=c11 "${warn[@]}" -c -o "$tmp/out.o" "$here/check-abi.c" >"$tmp/log" 2>&1; then
  ok "abi: expectations hold for Debian's headers"
else
  fail "abi: expectations do not hold for Debian's headers (fix scripts/check-abi.c)"
fi
compile "abi: our headers" $CC -std=c11 "${warn[@]}" "$here/check-abi.c"

# 2. Each header on its own, included twice, in every language mode.
for h in "$inc"/proton/*.h; do
  name=proton/$(basename "$h")
  printf '#include <%s>\n#include <%s>\nint unused_%s;\n' "$name" "$name" "$(basename "$h" .h)" >"$tmp/one.c"
  cp "$tmp/one.c" "$tmp/one.cpp"
  for std in c89 c99 c11; do
    compile "$name: self-contained, -std=$std -pedantic" $CC -std=$std -pedantic "${warn[@]}" "$tmp/one.c"
  done
  if command -v "$CXX" >/dev/null; then
    compile "$name: self-contained, C++11" $CXX -std=c++11 -pedantic "${warn[@]}" "$tmp/one.cpp"
  else
    echo "skip $name: C++11 ($CXX not installed)"
  fi
done

# 3. Legacy code.
compile "legacy: check-legacy.c" $CC "${warn[@]}" "$here/check-legacy.c"

# 4. Prototypes.
for h in "${api[@]}"; do echo "#include <proton/$h>"; done >"$tmp/includes.h"
python3 "$here/proton_decls.py" "${api[@]/#//usr/include/proton/}" >"$tmp/decls"
{
  cat "$tmp/includes.h"
  echo "void check_declared(void);"
  echo "void check_declared(void) {"
  cut -f1 "$tmp/decls" | sort -u | sed 's/.*/  (void)\&&;/'
  echo "}"
} >"$tmp/declared.c"
# (Taking the address of a messenger.h function is a use of a deprecated declaration.)
if ! compile "prototypes: all $(wc -l <"$tmp/decls") Debian declarations are declared" \
  $CC -std=c11 -fmax-errors=0 "${warn[@]}" -Wno-deprecated-declarations "$tmp/declared.c"; then
  missing=$(grep -o "'[a-z0-9_]*' undeclared\|‘[a-z0-9_]*’ undeclared" "$tmp/log" | tr -d "'‘’" | cut -d' ' -f1 | sort -u)
  [ -n "$missing" ] && echo "       undeclared:" $missing
fi
{
  cat "$tmp/includes.h"
  cut -f2 "$tmp/decls"
} >"$tmp/compatible.c"
compile "prototypes: ours are compatible with Debian's" \
  $CC -std=c11 -fmax-errors=0 -Wall -Wextra -Werror -Wno-redundant-decls "$tmp/compatible.c"

# 5. Deprecation: like 0.37's, a messenger.h call warns unless PN_USE_DEPRECATED_API is defined.
if grep -qx 'messenger.h' "$here/api-headers"; then
  printf '#include <proton/messenger.h>\nconst char *f(pn_messenger_t *m);\nconst char *f(pn_messenger_t *m) { return pn_messenger_name(m); }\n' >"$tmp/deprecated.c"
  if $CC -std=c11 "${warn[@]}" -I "$inc" -c -o "$tmp/out.o" "$tmp/deprecated.c" >"$tmp/log" 2>&1; then
    echo "FAIL deprecation: pn_messenger_name is not marked deprecated"
    failed=$((failed + 1))
  elif grep -q 'Use the Proactor API or Qpid Proton C++' "$tmp/log"; then
    compile "deprecation: messenger.h functions are deprecated unless PN_USE_DEPRECATED_API" \
      $CC -std=c11 "${warn[@]}" -DPN_USE_DEPRECATED_API "$tmp/deprecated.c"
  else
    fail "deprecation: messenger.h does not compile"
  fi
fi

echo "check-headers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
