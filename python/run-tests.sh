#!/usr/bin/env bash
# Python tests of the proton package (python/tests), with python-qpid-proton 0.40 as the peer.
#
# Creates, if missing, build/venv-test (pytest) and build/venv-peer (python-qpid-proton==0.40.0)
# under the repository root, then runs pytest. The library under test:
#   PROTON_LIB        if set: that library (e.g. Debian's /usr/lib/x86_64-linux-gnu/libqpid-proton.so.11)
#   PROTON_BUILD_LIB  otherwise $PROTON_BUILD_LIB/libqpid-proton.so.11 (default $repo/build/lib)
# Extra arguments go to pytest. Fails (non-zero) if a venv cannot be made: nothing is skipped.
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
echo "run-tests.sh: library under test $PROTON_LIB"
cd "$here"
# -p no:cacheprovider: no .pytest_cache in the source tree.
exec "$repo/build/venv-test/bin/python" -m pytest -p no:cacheprovider -ra "$@" tests
