# Checks on msgr-send / msgr-recv results for the test scripts (sourced).
#
#   field LINE KEY                 value of KEY=value in a summary line
#   expect WHAT ACTUAL EXPECTED    appends a line to $problems when they differ
#   check_lib LINE FILE WHO        the library a tool mapped (lib=) is FILE (both resolved)
#   expected_ids ID N              the "ID SEQ" lines msgr-recv -o writes for seq 0..N-1
#   check_statuses LINE ID COUNT EXPECT STATUSFILE
#                                  a sender's tracker statuses: EXPECT is untracked, settled,
#                                  accepted or reject:N ((seq + 1) % N == 0 REJECTED, per seq)
#   check_ids EXPECTED RECEIVED    the received (id, seq) set equals the expected one
# Callers reset problems="" before a case and report it afterwards.

problems=""

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

expect() {
  if [ "$2" != "$3" ]; then problems+="$1: got '$2', expected '$3'"$'\n'; fi
}

check_lib() {
  local lib
  lib=$(readlink -f "$(field "$1" lib)" 2>/dev/null || true)
  expect "$3 mapped library" "$lib" "$(readlink -f "$2")"
}

expected_ids() { if [ "$2" -gt 0 ]; then seq 0 $(($2 - 1)) | sed "s/^/$1 /"; fi; }

check_statuses() {
  local line=$1 id=$2 count=$3 want=$4 file=$5 n_rej n_acc every
  expect "sender $id result" "$(field "$line" result)" ok
  expect "sender $id sent" "$(field "$line" sent)" "$count"
  case "$want" in
    untracked) expect "sender $id tracked" "$(field "$line" tracked)" 0 ;;
    settled) expect "sender $id SETTLED" "$(field "$line" SETTLED)" "$count" ;;
    accepted) expect "sender $id ACCEPTED" "$(field "$line" ACCEPTED)" "$count" ;;
    reject:*)
      every=${want#reject:}
      n_rej=$((count / every))
      n_acc=$((count - n_rej))
      expect "sender $id ACCEPTED" "$(field "$line" ACCEPTED)" "$n_acc"
      expect "sender $id REJECTED" "$(field "$line" REJECTED)" "$n_rej"
      seq 0 $((count - 1)) | awk -v n="$every" \
        '{ print $1, (($1 + 1) % n == 0 ? "REJECTED" : "ACCEPTED") }' >"$file.expected"
      cmp -s "$file.expected" "$file" ||
        problems+="sender $id: per-tracker statuses differ from the expected rejects ($file)"$'\n'
      ;;
    *) problems+="unknown status expectation '$want'"$'\n' ;;
  esac
  if [ "$want" != untracked ]; then
    local lines
    lines=$(wc -l <"$file" 2>/dev/null || echo 0)
    expect "sender $id status lines" "$lines" "$count"
  fi
}

check_ids() {
  sort "$2" >"$2.sorted" 2>/dev/null || : >"$2.sorted"
  sort "$1" >"$1.sorted"
  if ! cmp -s "$1.sorted" "$2.sorted"; then
    problems+="received (sender, seq) set differs from the sent one: $(comm -23 "$1.sorted" "$2.sorted" | wc -l) missing, $(comm -13 "$1.sorted" "$2.sorted" | wc -l) unexpected"$'\n'
  fi
}
