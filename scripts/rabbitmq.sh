#!/usr/bin/env bash
# Start and stop a private RabbitMQ 3.10 node with the AMQP 1.0 plugin, without systemd.
#
#   scripts/rabbitmq.sh start DIR PORT   start a node whose every file lives in DIR, listening
#                                        for AMQP on 127.0.0.1:PORT only; returns once the node
#                                        and the rabbitmq_amqp1_0 plugin are running
#   scripts/rabbitmq.sh stop DIR         stop that node (rabbitmqctl shutdown, then its own epmd);
#                                        kills what is left if shutdown fails; safe to repeat
#
# Needs Debian's rabbitmq-server package (scripts/install-deps.sh). The node gets a name of its
# own (rabbit-PORT@localhost), its own Erlang distribution port and its own epmd port, so it
# neither needs nor disturbs another RabbitMQ on the machine. The log is DIR/log/*.log and the
# launcher's output DIR/server.out. SASL: ANONYMOUS and PLAIN guest/guest (loopback).
set -euo pipefail

BIN=/usr/lib/rabbitmq/bin
START_TIMEOUT=${RABBITMQ_START_TIMEOUT:-90}

die() { echo "rabbitmq.sh: $*" >&2; exit 1; }
usage() { sed -n '2,13p' "$0"; exit 2; }

# A TCP port nothing on this machine uses (from /proc/net/tcp*), below the ephemeral range.
free_port() {
  local used port
  used=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk 'NR > 1 { split($2, a, ":"); print a[2] }')
  while :; do
    port=$((10000 + RANDOM % 22000))
    [ "$port" != "$1" ] || continue
    grep -qi "^$(printf '%04X' "$port")$" <<<"$used" || break
  done
  echo "$port"
}

# rmq_env DIR: the environment every command of the node runs with (HOME only for them).
rmq_env() {
  local dir=$1
  # shellcheck disable=SC1091
  . "$dir/ports"
  export HOME=$dir \
    RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf \
    RABBITMQ_NODENAME=$NODENAME \
    RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins \
    RABBITMQ_MNESIA_BASE=$dir/mnesia \
    RABBITMQ_LOG_BASE=$dir/log \
    RABBITMQ_PID_FILE=$dir/rabbit.pid \
    RABBITMQ_DIST_PORT=$DIST_PORT \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_EPMD_PORT=$EPMD_PORT
  # The CLI tools pick their own distribution ports from DIST_PORT + 10000 on.
}

ctl() { timeout 60 "$BIN/rabbitmqctl" -n "$NODENAME" "$@"; }

start() {
  local dir=$1 port=$2
  [ -x "$BIN/rabbitmq-server" ] || die "rabbitmq-server is not installed (scripts/install-deps.sh)"
  [[ "$port" =~ ^[0-9]+$ ]] || die "bad port '$port'"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -f "$dir/launcher.pid" ] || ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null ||
    die "a node from $dir is already running (stop it first)"
  rm -rf "$dir/mnesia" "$dir/log" "$dir/rabbit.pid"
  mkdir -p "$dir/mnesia" "$dir/log"
  local dist epmd
  dist=$(free_port "$port")
  while [ "$dist" -gt 21000 ]; do dist=$(free_port "$port"); done # CLI ports = dist + 10000.. < 32768
  epmd=$(free_port "$port")
  cat >"$dir/ports" <<EOF
NODENAME=rabbit-$port@localhost
AMQP_PORT=$port
DIST_PORT=$dist
EPMD_PORT=$epmd
EOF
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
distribution.listener.interface = 127.0.0.1
amqp1_0.default_user = guest
amqp1_0.default_vhost = /
loopback_users.guest = true
EOF
  echo '[rabbitmq_amqp1_0].' >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf"
  (
    rmq_env "$dir"
    # Its own session and process group: stop can end everything it started.
    setsid "$BIN/rabbitmq-server" >"$dir/server.out" 2>&1 </dev/null &
    echo $! >"$dir/launcher.pid"
  )
  (
    rmq_env "$dir"
    # `wait` returns once the pid file exists and the rabbit application (with its plugins)
    # has started; the AMQP port opens earlier than that, so it is no readiness signal.
    if ! timeout "$START_TIMEOUT" "$BIN/rabbitmqctl" -n "$NODENAME" wait --timeout "$START_TIMEOUT" \
      "$RABBITMQ_PID_FILE" >"$dir/wait.out" 2>&1; then
      echo "rabbitmq.sh: the node did not start within ${START_TIMEOUT}s; launcher output:" >&2
      tail -n 30 "$dir/server.out" >&2 || true
      tail -n 30 "$dir"/log/*.log >&2 2>/dev/null || true
      exit 1
    fi
    # The AMQP 1.0 plugin must be running, not just enabled.
    ctl eval 'lists:keymember(rabbitmq_amqp1_0, 1, application:which_applications()).' \
      >"$dir/plugin.out" 2>&1 || true
    if ! grep -qx true "$dir/plugin.out"; then
      echo "rabbitmq.sh: rabbitmq_amqp1_0 is not running: $(cat "$dir/plugin.out")" >&2
      exit 1
    fi
  ) || { stop "$dir"; exit 1; }
  echo "rabbitmq.sh: node rabbit-$port@localhost ready on 127.0.0.1:$port (dir $dir)"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  [ -f "$dir/ports" ] || return 0
  (
    rmq_env "$dir"
    local launcher="" beam=""
    [ -f "$dir/launcher.pid" ] && launcher=$(cat "$dir/launcher.pid")
    [ -f "$RABBITMQ_PID_FILE" ] && beam=$(cat "$RABBITMQ_PID_FILE")
    if [ -n "$beam" ] && kill -0 "$beam" 2>/dev/null; then
      ctl shutdown >"$dir/shutdown.out" 2>&1 || echo "rabbitmq.sh: shutdown failed: $(tail -n 3 "$dir/shutdown.out")" >&2
    fi
    # Whatever is left of the node (also when it never finished booting): its process group.
    if [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
      kill -TERM -- "-$launcher" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$launcher" 2>/dev/null || true
    fi
    if [ -n "$beam" ] && kill -0 "$beam" 2>/dev/null; then kill -KILL "$beam" 2>/dev/null || true; fi
    # Our private epmd (started by the node on ERL_EPMD_PORT); other epmds are not touched.
    epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  )
  rm -f "$dir/launcher.pid"
  echo "rabbitmq.sh: node in $dir stopped"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
