# Process helpers for the test scripts that run msgr-send/msgr-recv and servers (sourced).
#
#   free_port                 a TCP port no socket on this machine uses (from /proc/net/tcp*)
#   start_proc LOG CMD...     run CMD in the background under `timeout $GUARD_S` (hang guard),
#                             stdout+stderr to LOG (emptied before start_proc returns); sets
#                             last_pid; it is stopped on exit
#   wait_proc PID             wait for it; returns its exit status (124: the guard fired)
#   start_receiver LOG CMD... start a receiver whose arguments contain @PORT@ (replaced by a free
#                             port; retried on "Address already in use") and wait until it prints
#                             "msgr-recv ready"; sets recv_port and receiver_pid
#   stop_all                  SIGTERM what is still running (the EXIT trap calls it)
# Needs GUARD_S (seconds) set by the caller.

procs_started=()

free_port() {
  local used port
  used=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk 'NR > 1 { split($2, a, ":"); print a[2] }')
  while :; do
    port=$((10000 + RANDOM % 22000)) # below the ephemeral range (32768-)
    grep -qi "^$(printf '%04X' "$port")$" <<<"$used" || break
  done
  echo "$port"
}

start_proc() {
  local log=$1
  shift
  # Empty the log here, before the background start: the `>` below only truncates once the
  # child runs, and a caller that reads LOG at once (start_receiver's readiness check) would
  # otherwise see what a previous process left in it (its "msgr-recv ready" line).
  : >"$log"
  timeout -k 5 "$GUARD_S" "$@" >"$log" 2>&1 &
  last_pid=$!
  procs_started+=("$last_pid")
}

wait_proc() {
  local rc=0
  wait "$1" || rc=$?
  local keep=() p
  for p in "${procs_started[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  procs_started=("${keep[@]+"${keep[@]}"}")
  return "$rc"
}

start_receiver() {
  local log=$1 attempt i args a
  shift
  for attempt in 1 2 3 4 5; do
    recv_port=$(free_port)
    args=()
    for a in "$@"; do args+=("${a//@PORT@/$recv_port}"); done
    start_proc "$log" "${args[@]}"
    receiver_pid=$last_pid
    for i in $(seq 200); do
      grep -q '^msgr-recv ready' "$log" 2>/dev/null && return 0
      kill -0 "$receiver_pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$receiver_pid" 2>/dev/null; then
      echo "receiver not ready after 10 s: $*" >>"$log"
      kill "$receiver_pid" 2>/dev/null || true
      wait_proc "$receiver_pid" || true
      return 1
    fi
    wait_proc "$receiver_pid" || true
    grep -q 'in use' "$log" || return 1
  done
  return 1
}

stop_all() {
  local p
  for p in "${procs_started[@]+"${procs_started[@]}"}"; do kill "$p" 2>/dev/null || true; done
  for p in "${procs_started[@]+"${procs_started[@]}"}"; do wait "$p" 2>/dev/null || true; done
  procs_started=()
}
trap stop_all EXIT
# A signal ends the script through exit, so the EXIT traps still stop what it started.
trap 'exit 130' INT
trap 'exit 143' TERM
