#!/usr/bin/env bash
# The demo: installs what is needed, builds, then under a temporary directory builds the demo
# ERP (SQLite), starts the Kokola sandbox and kokola-syncd from the demo configuration, and
# drives them with kokolactl: list the ready POs, push PWU2012502-0000517 (its vendor and
# items go with it), push a PO that is not ready and one that is invalid, run a full sync,
# print the status and what the sandbox holds. Everything it starts is stopped at the end.
# Nothing is written outside the temporary directory and the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

if [ "${KOKOLA_SKIP_INSTALL:-}" != 1 ]; then bash scripts/install-deps.sh; fi
echo "== building (several minutes on two cores the first time)"
bash scripts/build.sh --target kokola-syncd kokolactl kokola-sandbox >/dev/null
bin=$src/${KOKOLA_BUILD_DIR:-build}

work=$(mktemp -d /tmp/kokola-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KOKOLA_KEEP_DEMO:-}" = 1 ]; then echo "(kept $work)"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# Runs a command, shows it, and shows its exit code without stopping the demo.
ctl() { "$bin/kokolactl" --socket "$work/run/control.sock" "$@"; }
# Runs kokolactl, shows the command as one would type it, and its exit code, without
# stopping the demo.
show_ctl() {
  printf '$ kokolactl'
  printf ' %q' "$@"
  printf '\n'
  local rc=0
  ctl "$@" || rc=$?
  printf '(exit code %d)\n' "$rc"
}

step "building the demo ERP in $work/erp.db"
python3 scripts/demo_erp.py --sqlite "$work/erp.db"

step "starting the Kokola sandbox"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
chmod 600 "$work/token"
"$bin/kokola-sandbox" serve --token-file "$work/token" --port 0 --port-file "$work/sandbox.port" \
  --db "$work/sandbox.db" --quiet &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/sandbox.port" ] && break; sleep 0.1; done
port=$(cat "$work/sandbox.port")
echo "sandbox listening on 127.0.0.1:$port"

step "starting kokola-syncd"
sed "s/@SANDBOX_PORT@/$port/" etc/demo/kokola-sync.yaml >"$work/kokola-sync.yaml"
"$bin/kokola-syncd" --config "$work/kokola-sync.yaml" 2>"$work/daemon.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/run/control.sock" ] && break; sleep 0.1; done
[ -S "$work/run/control.sock" ] || { cat "$work/daemon.log"; exit 1; }
echo "kokola-syncd running; its log: $work/daemon.log (removed at the end unless KOKOLA_KEEP_DEMO=1)"

step "purchase orders ready to send (first 10)"
ctl list po --ready --limit 10

step "pushing PO PWU2012502-0000517 (its vendor and items go with it)"
show_ctl push po PWU2012502-0000517 --reason "demo: urgent PO"

step "pushing it again: nothing changed, nothing is sent"
show_ctl push po PWU2012502-0000517

step "pushing a PO that is not ready (DRAFT)"
show_ctl push po PWU2012502-0000518

step "pushing a PO whose total does not match its lines"
show_ctl push po PWU2012502-0000519

step "one full sync: vendors, items, purchase orders"
show_ctl sync all --wait

step "status"
show_ctl status

step "what the sandbox (the Kokola App) holds"
"$bin/kokola-sandbox" dump --db "$work/sandbox.db" | python3 scripts/sandbox_summary.py PWU2012502-0000517

step "stopping"
