#!/usr/bin/env bash
# Install the system packages the build and tests need (Debian 12). Quick no-op when they
# are already installed. Needs root (or sudo) only when something is missing.
#   libqpid-proton11-dev           the original proton-c 0.37: reference oracle for tests
#   libqpid-proton11-dev-examples  its example broker sources (test peer, c-tests/brokers)
#   pkg-config gcc make            building the C tests and the demo
#   libssl-dev                     OpenSSL for TLS (the openssl crate links it, found by pkg-config)
#   openssl                        the command that makes the test certificates
#                                  (scripts/gen-test-certs.sh)
#   rabbitmq-server                RabbitMQ 3.10 + rabbitmq_amqp1_0 (c-tests/brokers), installed
#                                  without recommends; the image's policy-rc.d keeps it from
#                                  starting, scripts/rabbitmq.sh runs a private node instead
# Python virtual environments are created by python/run-tests.sh, not here.
set -euo pipefail
packages=(libqpid-proton11-dev libqpid-proton11-dev-examples pkg-config gcc make libssl-dev openssl)
packages_no_recommends=(rabbitmq-server)

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
missing_no_recommends=()
for p in "${packages[@]}"; do is_installed "$p" || missing+=("$p"); done
for p in "${packages_no_recommends[@]}"; do is_installed "$p" || missing_no_recommends+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_no_recommends[@]} -eq 0 ]; then
  echo "install-deps: all installed (${packages[*]} ${packages_no_recommends[*]})"
  exit 0
fi

echo "install-deps: installing ${missing[*]} ${missing_no_recommends[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]} ${missing_no_recommends[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
if [ ${#missing[@]} -gt 0 ]; then "${sudo[@]}" apt-get install -y "${missing[@]}"; fi
if [ ${#missing_no_recommends[@]} -gt 0 ]; then
  # No policy-rc.d (a plain Debian machine): the package would start a system-wide node on
  # 0.0.0.0:5672; keep it from starting, the tests run their own node.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  rc=0
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing_no_recommends[@]}" || rc=$?
  if [ "$added_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi
  exit "$rc"
fi
