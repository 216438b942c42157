#!/usr/bin/env bash
# Check that our library exports every symbol proton-c 0.37 exports for the promised headers.
#
# The promise: every function (and data object) declared PN_EXTERN/PNX_EXTERN in Debian's
# /usr/include/proton/<h> for each <h> in scripts/api-headers (or the headers given as
# arguments) that Debian's libqpid-proton.so.11 really exports, must be exported by ours.
# Also checks our soname. Prints the missing names and fails if there are any.
#
# Usage: scripts/check-symbols.sh [header.h ...]
# Env:   PROTON_BUILD_LIB  directory holding our libqpid-proton.so.11 (default: build/lib)
#        REFERENCE_LIB     Debian's library (default: /usr/lib/x86_64-linux-gnu/libqpid-proton.so.11)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ours=${PROTON_BUILD_LIB:-$root/build/lib}/libqpid-proton.so.11
reference=${REFERENCE_LIB:-/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11}

if [ $# -gt 0 ]; then
  headers=("$@")
else
  mapfile -t headers < <(grep -v '^#' "$here/api-headers" | sed '/^$/d')
fi
for f in "$ours" "$reference"; do
  [ -f "$f" ] || { echo "check-symbols: $f not found (run make)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exported() { nm -D --defined-only "$1" | awk '{print $NF}' | sort -u; }
exported "$reference" >"$tmp/reference"
exported "$ours" >"$tmp/ours"

status=0
soname=$(readelf -d "$ours" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libqpid-proton.so.11" ]; then
  echo "FAIL soname of $ours is '$soname', want libqpid-proton.so.11"
  status=1
fi

total=0
missing_total=0
for h in "${headers[@]}"; do
  path=/usr/include/proton/$h
  [ -f "$path" ] || { echo "check-symbols: no such header $path" >&2; exit 2; }
  python3 "$here/proton_decls.py" "$path" | cut -f1 | sort -u >"$tmp/declared"
  comm -12 "$tmp/declared" "$tmp/reference" >"$tmp/promised"
  comm -23 "$tmp/promised" "$tmp/ours" >"$tmp/missing"
  n=$(wc -l <"$tmp/promised")
  m=$(wc -l <"$tmp/missing")
  total=$((total + n))
  missing_total=$((missing_total + m))
  if [ "$m" -eq 0 ]; then
    echo "ok   $h: all $n symbols exported"
  else
    echo "FAIL $h: $m of $n symbols missing:"
    sed 's/^/       /' "$tmp/missing"
    status=1
  fi
done
echo "check-symbols: $((total - missing_total)) of $total promised symbols exported by $ours"
exit $status
