#!/usr/bin/env bash
# Sources completion/kokolactl.bash and checks what it offers (COMPREPLY) for a few command
# lines, against a stand-in kokolactl that prints `list po --ready` as the real one does
# ("KEY - LABEL", ctl/render.cpp). Then checks that every command and option the real
# kokolactl's --help lists is offered, so a new one without completion fails here.
set -u
src=${KOKOLA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${KOKOLA_BIN_DIR:-$src/build}
# shellcheck source=../../completion/kokolactl.bash
source "$src/completion/kokolactl.bash"

passed=0
failed=0
calls=$(mktemp)
trap 'rm -f "$calls"' EXIT

# The stand-in for the daemon's answer to `kokolactl list po --ready`.
kokolactl() {
  printf '%s\n' "$*" >>"$calls"
  printf '%s\n' "PWU2012502-0000517 - SURYA INDAH PLASTIK" "PWU2012502-0000520 - CV MAJU JAYA" \
    "PO/2025/0001 - CV BERKAH - JAYA" "PO 77 - TOKO SPASI"
}

# Completes the words given; the last one is the word under the cursor.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _kokolactl
  printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ' -
}

expect() {
  local name=$1 want=$2
  shift 2
  local got
  got=$(complete_words "$@")
  if [[ $got == "$want" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: completing '$*': want '$want', got '$got'"
  fi
}

expect commands "audit job jobs list pause push reload resume retry show status sync" kokolactl ""
expect command-prefix "show status sync" kokolactl s
expect global-options "--json" kokolactl --j
expect entities "item po vendor" kokolactl push ""
expect sync-entities "all item po vendor" kokolactl sync ""
expect pause-entities "all item po vendor" kokolactl pause ""
expect job-states "active" kokolactl jobs --state a
expect job-entity "item" kokolactl jobs --entity it
expect push-options "--dry-run --force --help --json --reason --socket --timeout --version --wait" \
  kokolactl push po --
expect push-option-prefix "--force" kokolactl push po --fo
expect audit-options "--since --socket" kokolactl audit --s
expect list-ready "--ready" kokolactl list po --re
expect po-numbers "PWU2012502-0000517 PWU2012502-0000520" kokolactl push po PWU
expect po-number-slash "PO/2025/0001" kokolactl show po PO/
expect po-number-space 'PO\ 77' kokolactl push po 'PO '
expect po-after-options "PWU2012502-0000517 PWU2012502-0000520" \
  kokolactl --json push po --reason urgent PWU2012502-0000517 PWU
expect no-keys-for-items "" kokolactl push item BRG
expect option-argument "" kokolactl list po --limit ""

# `list po --ready` was asked, of the socket given on the command line.
: >"$calls"
complete_words kokolactl --socket /tmp/k.sock push po P >/dev/null
if grep -qx -- "--socket /tmp/k.sock --timeout 2 list po --ready" "$calls"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL socket: kokolactl was called as: $(cat "$calls")"
fi

# Every command and option of the real kokolactl is offered.
unset -f kokolactl
real=$bin/kokolactl
offered=" $(complete_words kokolactl "") "
for cmd in $("$real" --help | awk '/^Subcommands:/ {on = 1; next} on && NF {print $1}'); do
  if [[ $offered != *" $cmd "* ]]; then
    failed=$((failed + 1))
    echo "FAIL command '$cmd' (kokolactl --help) is not completed"
    continue
  fi
  options=" $(complete_words kokolactl "$cmd" --) "
  for opt in $("$real" "$cmd" --help | grep -oE '^ +(-[a-zA-Z],)?--[a-z][a-z0-9-]*' |
    grep -oE -- '--[a-z][a-z0-9-]*'); do
    if [[ $options == *" $opt "* ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL option '$opt' of '$cmd' (kokolactl $cmd --help) is not completed"
    fi
  done
done

echo "completion: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
