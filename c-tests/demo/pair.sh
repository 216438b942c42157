#!/usr/bin/env bash
# pair.sh PORT RECV_CMD... -- SEND_CMD...: the demo's main job, one receiver and one sender.
#
# Starts the receiver command (it must print "listening" or "subscribed" once ready) with
# `-c 3 amqp://~127.0.0.1:PORT` appended, waits for it to listen, runs the sender command
# with `-a amqp://127.0.0.1:PORT/demo -s greeting` and three message bodies appended, waits
# for the receiver to exit, and prints what each printed (receiver first). Fails if either
# fails or the receiver does not finish within 30 s. MASK_PORT=1 prints the port as PORT.
set -euo pipefail

port="$1"; shift
recv=(); while [ "$1" != "--" ]; do recv+=("$1"); shift; done; shift
send=("$@")

out="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$out"' EXIT
"${recv[@]}" -c 3 "amqp://~127.0.0.1:$port" >"$out/recv" 2>&1 &
pid=$!
for _ in $(seq 300); do
  grep -qE "listening|subscribed" "$out/recv" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -qE "listening|subscribed" "$out/recv" || { echo "demo: receiver did not start"; cat "$out/recv"; exit 1; }

"${send[@]}" -a "amqp://127.0.0.1:$port/demo" -s greeting \
  "Hello World!" "Hej verden!" "Bonjour le monde !" >"$out/send" 2>&1 \
  || { echo "demo: sender failed"; cat "$out/send"; exit 1; }

for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "demo: receiver did not finish"; cat "$out/recv"; exit 1; fi
wait "$pid" || { echo "demo: receiver failed"; cat "$out/recv"; exit 1; }
mask=(cat); [ "${MASK_PORT:-0}" = 1 ] && mask=(sed "s/127.0.0.1:$port/127.0.0.1:PORT/g")
echo "-- receiver"; "${mask[@]}" "$out/recv"
echo "-- sender"; "${mask[@]}" "$out/send"
