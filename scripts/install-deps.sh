#!/usr/bin/env bash
# Install the system packages the build and tests need (Debian 12). Quick no-op when they
# are already installed. Needs root (or sudo) only when something is missing.
#   libqpid-proton11-dev           the original proton-c 0.37: reference oracle for tests
#   libqpid-proton11-dev-examples  its example broker sources (test peer)
#   pkg-config gcc make            building the C tests and the demo
# Python virtual environments are created by python/run-tests.sh, not here.
set -euo pipefail
packages=(libqpid-proton11-dev libqpid-proton11-dev-examples pkg-config gcc make)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all installed (${packages[*]})"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
