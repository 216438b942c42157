#!/usr/bin/env bash
# check.sh DEMO_DIR: the demo pair (recv, send) must print the same on Debian's proton-c and
# on ours. Runs the pair built against Debian (the expected output), built against ours, and
# mixed (Debian's receiver with our sender and the reverse), then the Python pair from
# python/examples on our library against the same pair on Debian's library. Ports are
# printed as PORT. PROTON_BUILD_LIB names our library directory (default build/lib).
set -euo pipefail

dir="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ours_lib="${PROTON_BUILD_LIB:-$repo/build/lib}/libqpid-proton.so.11"
debian_lib=/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11
python="${PYTHON:-python3}"
export MASK_PORT=1

port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pair() { bash "$here/pair.sh" "$(port)" "$@"; }

failed=0
# compare NAME EXPECTED_FILE ACTUAL_FILE
compare() {
  if diff -u "$2" "$3"; then
    echo "ok   demo: $1 prints what proton-c 0.37 prints"
  else
    echo "FAIL demo: $1 differs from proton-c 0.37 (- Debian, + ours)"; failed=1
  fi
}

pair "$dir/recv.reference" -- "$dir/send.reference" >"$dir/expected"
pair "$dir/recv" -- "$dir/send" >"$dir/ours"
compare "C pair on our library" "$dir/expected" "$dir/ours"
pair "$dir/recv.reference" -- "$dir/send" >"$dir/mixed1"
compare "Debian receiver, our sender" "$dir/expected" "$dir/mixed1"
pair "$dir/recv" -- "$dir/send.reference" >"$dir/mixed2"
compare "our receiver, Debian sender" "$dir/expected" "$dir/mixed2"
# The Debian-built binaries on our library, as a legacy program would run.
LD_LIBRARY_PATH="$(dirname "$ours_lib")" pair "$dir/recv.reference" -- "$dir/send.reference" \
  >"$dir/dropin"
compare "Debian-built binaries on our library" "$dir/expected" "$dir/dropin"

py_pair() {
  PYTHONPATH="$repo/python" PROTON_LIB="$1" pair "$python" "$repo/python/examples/recv.py" -- \
    "$python" "$repo/python/examples/send.py"
}
py_pair "$debian_lib" >"$dir/py-expected"
py_pair "$ours_lib" >"$dir/py-ours"
compare "Python pair on our library" "$dir/py-expected" "$dir/py-ours"
grep -q '^-- receiver' "$dir/py-ours" && [ "$(grep -c Hello "$dir/py-ours")" -ge 1 ] \
  || { echo "FAIL demo: the Python pair printed no message"; failed=1; }
exit $failed
