#!/usr/bin/env bash
# In-memory engine-pair benchmark (benches/engine.rs).
#
#   scripts/bench-engine.sh [filter...] [--quick] [--rounds N] [--n N]
#       cargo bench --bench engine with those arguments (timing table).
#   scripts/bench-engine.sh --callgrind [N]
#       Instructions per message for each scenario under valgrind (stable on a busy
#       machine): the whole process (both engines and the harness), marginal cost from
#       runs of N and 2N messages (N/10 for 64 KiB), default N=20000.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--callgrind" ]]; then
    exec cargo bench --bench engine -- "$@"
fi

n=${2:-20000}
bin=$(cargo bench --bench engine --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[[ -x "$bin" ]] || { echo "bench binary not found" >&2; exit 1; }
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" --rounds 1 --n "$2" 2>&1 |
        awk '/Collected/ {print $4}'
}
for sc in "16B unsettled" "16B presettled" "1KiB unsettled" "1KiB presettled" \
    "64KiB unsettled" "64KiB presettled"; do
    k=$n
    [[ $sc == 64KiB* ]] && k=$((n / 10))
    a=$(ir "$sc" "$k")
    b=$(ir "$sc" $((2 * k)))
    # Each run also does a warm-up round of a tenth of the messages.
    printf '%-17s %9d Ir/msg (both engines + harness)\n' "$sc" $(((b - a) * 10 / (11 * k)))
done
