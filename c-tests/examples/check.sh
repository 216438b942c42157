#!/usr/bin/env bash
# check.sh OUT_DIR: the application-driven loop examples print what they must, on Debian's
# proton-c 0.37 and on ours.
#
# poll_loop.c (C, poll()) is built against Debian's headers and library and against ours;
# python/examples/select_loop.py (select()) runs on both libraries. Each run gets the same
# input (600 numbered lines, an empty line, a non-ASCII line, a last line without a newline:
# 603 messages)
# and must print exactly "received: <line>" for every line in order, "accepted: N of N" and
# "stopped". Runs: C on Debian, C on ours, the Debian-built binary on ours, Python on
# Debian, Python on ours. Prints one "ok"/"FAIL" line per run; exits 1 on any failure.
# Env: PROTON_BUILD_LIB (our library dir, default build/lib), PROTON_INCLUDE (default
# include), CC, PYTHON.
set -euo pipefail

out=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ours=${PROTON_BUILD_LIB:-$repo/build/lib}
include=${PROTON_INCLUDE:-$repo/include}
debian=/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11
cc=${CC:-gcc}
python=${PYTHON:-python3}
guard=60
mkdir -p "$out"

failed=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 20 | sed 's/^/     /'; failed=1; }

for f in "$debian" "$ours/libqpid-proton.so.11"; do
  [ -f "$f" ] || { bad "library $f missing"; exit 1; }
done

# The input and the output it must give.
{
  for i in $(seq 1 600); do echo "line $i"; done
  echo ""
  echo "non-ASCII: h$(printf '\303\251')llo $(printf '\342\234\223')"
  printf 'last line, no newline'
} >"$out/input"
n=0
{
  while IFS= read -r line || [ -n "$line" ]; do echo "received: $line"; n=$((n + 1)); done <"$out/input"
  echo "accepted: $n of $n"
  echo "stopped"
} >"$out/expected"

port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# run NAME COMMAND...: run with the input, compare with the expected output.
run() {
  local name=$1
  shift
  local actual="$out/$(echo "$name" | tr ' ,' '__').out"
  if ! timeout "$guard" "$@" "$(port)" <"$out/input" >"$actual" 2>"$actual.stderr"; then
    bad "$name: failed or hung" "$(tail -n 5 "$actual.stderr")"
  elif ! d=$(diff -u --label expected --label actual "$out/expected" "$actual"); then
    bad "$name: output differs" "$d"
  else
    ok "$name"
  fi
}

warn=(-Wall -Wextra -Werror)
if ! msg=$("$cc" "${warn[@]}" -o "$out/poll_loop.debian" "$here/poll_loop.c" -lqpid-proton 2>&1); then
  bad "poll_loop.c builds against Debian's proton-c" "$msg"
else
  run "poll_loop (C) on Debian's proton-c" env -u LD_LIBRARY_PATH "$out/poll_loop.debian"
  run "poll_loop (C, built against Debian) on ours" env LD_LIBRARY_PATH="$ours" "$out/poll_loop.debian"
fi
if ! msg=$("$cc" "${warn[@]}" -I "$include" -MD -MF "$out/poll_loop.d" -o "$out/poll_loop.ours" \
    "$here/poll_loop.c" -L "$ours" -lqpid-proton -Wl,-rpath,"$ours" 2>&1); then
  bad "poll_loop.c builds against our headers" "$msg"
elif grep -q /usr/include/proton/ "$out/poll_loop.d"; then
  bad "poll_loop.c builds against our headers" "it read Debian's headers"
else
  run "poll_loop (C) on ours" env LD_LIBRARY_PATH="$ours" "$out/poll_loop.ours"
fi
export PYTHONIOENCODING=utf-8
run "select_loop.py on Debian's proton-c" env PROTON_LIB="$debian" "$python" "$repo/python/examples/select_loop.py"
run "select_loop.py on ours" env PROTON_LIB="$ours/libqpid-proton.so.11" "$python" "$repo/python/examples/select_loop.py"
exit "$failed"
