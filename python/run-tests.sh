#!/usr/bin/env bash
# Python tests of the proton package (python/tests), with python-qpid-proton 0.40 as the peer.
#
# Creates, if missing, build/venv-test (pytest) and build/venv-peer (python-qpid-proton==0.40.0)
# under the repository root, then runs pytest. The library under test:
#   PROTON_LIB        if set: that library (e.g. Debian's /usr/lib/x86_64-linux-gnu/libqpid-proton.so.11)
#   PROTON_BUILD_LIB  otherwise $PROTON_BUILD_LIB/libqpid-proton.so.11 (default $repo/build/lib)
# Extra arguments go to pytest. Fails (non-zero) if a venv cannot be made: nothing is skipped.
#
# Differential pass: when the library under test is not Debian's, the Messenger tests
# (test_messenger.py, test_messenger_interop.py, test_messenger_tls.py, test_selectable.py,
# test_interrupt.py) then run a second time on Debian's proton-c
# 0.37 ($DEBIAN_PROTON_LIB), so they are shown to pin the original's behaviour. That library
# must be installed (scripts/install-deps.sh); PROTON_DIFFERENTIAL=0 leaves the pass out.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PYTHON="${PYTHON:-python3}"
build_lib="${PROTON_BUILD_LIB:-$repo/build/lib}"
export PROTON_BUILD_LIB="$build_lib"
export PROTON_LIB="${PROTON_LIB:-$build_lib/libqpid-proton.so.11}"

fail() { echo "run-tests.sh: FAIL: $*" >&2; exit 1; }

# make_venv DIR STAMP PACKAGES...: (re)create DIR unless STAMP says it holds PACKAGES.
make_venv() {
  local dir="$1" want="$2"; shift 2
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.ready" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "run-tests.sh: creating $dir ($*)"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir" || fail "python3 -m venv $dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@" \
    || fail "pip install $* into $dir"
  echo "$want" >"$dir/.ready"
}

[ -f "$PROTON_LIB" ] || fail "library under test not found: $PROTON_LIB (run make, or set PROTON_LIB)"

mkdir -p "$repo/build"
make_venv "$repo/build/venv-test" "pytest setuptools wheel v1" pytest setuptools wheel
make_venv "$repo/build/venv-peer" "python-qpid-proton==0.40.0 v1" python-qpid-proton==0.40.0
"$repo/build/venv-peer/bin/python" -I -c 'import proton, sys; sys.exit(proton.VERSION != (0, 40, 0))' \
  || fail "build/venv-peer does not import python-qpid-proton 0.40.0"

export PROTON_PEER_PYTHON="$repo/build/venv-peer/bin/python"
debian_lib="${DEBIAN_PROTON_LIB:-/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11}"
differential="${PROTON_DIFFERENTIAL:-1}"
if [ "$differential" != 0 ] && [ "$(realpath "$PROTON_LIB")" = "$(realpath -m "$debian_lib")" ]; then
  differential=0  # the main run already is on Debian's library
fi
if [ "$differential" != 0 ] && [ ! -f "$debian_lib" ]; then
  fail "Debian's proton-c not found at $debian_lib for the differential pass (scripts/install-deps.sh; PROTON_DIFFERENTIAL=0 to leave it out)"
fi

cd "$here"
pytest=("$repo/build/venv-test/bin/python" -m pytest -p no:cacheprovider -ra)  # no .pytest_cache
echo "run-tests.sh: library under test $PROTON_LIB"
rc=0
"${pytest[@]}" "$@" tests || rc=$?
if [ "$differential" != 0 ]; then
  echo "run-tests.sh: differential pass: the Messenger tests on Debian's $debian_lib"
  PROTON_LIB="$debian_lib" "${pytest[@]}" "$@" tests/test_messenger.py tests/test_messenger_interop.py \
    tests/test_messenger_tls.py tests/test_selectable.py tests/test_interrupt.py \
    || { echo "run-tests.sh: FAIL: the Messenger tests do not pass on Debian's proton-c" >&2; rc=1; }
fi
exit "$rc"
