# The steps and checks of the boot test; sourced by tests/boot/boot_test.sh after
# container.sh. Each check prints "ok NAME" or "FAIL NAME: why" and counts.

passed=0
failed=0
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
unit=kokola-syncd.service

ok() {
  passed=$((passed + 1))
  echo "ok   $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL $*"
}
# expect NAME WANT GOT
expect() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
prop() { in_container systemctl show -p "$1" --value "$unit"; }
journal() { in_container journalctl -u "$unit" --no-pager -o cat; }
# The exit code of a command run inside the container as a user; its output in $work/out.
rc_as() {
  as_user "$@" >"$work/out" 2>&1
  echo $?
}
# A field of the JSON document in a file (host side: the rootfs has no Python).
json_get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$1" "$2"; }
# Waits up to $1 seconds for the journal of the unit to contain $2.
wait_journal() {
  local i
  for i in $(seq $(($1 * 5))); do
    journal | grep -qF -- "$2" && return 0
    sleep 0.2
  done
  return 1
}

install_package() {
  if in_container dpkg -i /mnt/kokola/kokola-sync.deb >"$work/dpkg.log" 2>&1; then
    ok "dpkg -i installs the package"
  else
    fail "dpkg -i: $(tail -5 "$work/dpkg.log")"
  fi
}

# What installing did, and did not do.
check_package() {
  in_container getent passwd kokola-sync >/dev/null && ok "user kokola-sync" || fail "no user kokola-sync"
  local g
  for g in kokola-sync kokola-sync-admin kokola-sync-viewer; do
    in_container getent group "$g" >/dev/null && ok "group $g" || fail "no group $g"
  done
  expect "config is a conffile" "/etc/kokola-sync/kokola-sync.yaml" \
    "$(in_container dpkg-query -W -f='${Conffiles}\n' kokola-sync | awk 'NF {print $1}')"
  expect "unit not enabled by the package" disabled "$(in_container systemctl is-enabled $unit)"
  expect "unit not started by the package" inactive "$(prop ActiveState)"
  local f
  for f in /usr/sbin/kokola-syncd /usr/bin/kokolactl /usr/share/man/man8/kokola-syncd.8.gz \
    /usr/share/man/man1/kokolactl.1.gz /usr/share/man/man5/kokola-sync.yaml.5.gz \
    /usr/share/bash-completion/completions/kokolactl /usr/lib/sysusers.d/kokola-sync.conf; do
    in_container test -e "$f" && ok "installed $f" || fail "missing $f"
  done
  in_container sh -c '! ls /usr/bin /usr/sbin | grep -q kokola-sandbox' &&
    ok "the sandbox is not packaged" || fail "the sandbox is in the package"
  expect "systemd-analyze security of the installed unit is 2.0 or better" 0 \
    "$(in_container systemd-analyze security --threshold=20 $unit >"$work/out" 2>&1; echo $?)"
}

# The shipped configuration cannot run: the unit fails and never becomes active.
check_unconfigured() {
  in_container sh -c "umask 077; printf '%s\n' '$token' >/etc/kokola-sync/token"
  if in_container systemctl start $unit 2>/dev/null; then
    fail "systemctl start succeeded with the shipped configuration"
  else
    ok "systemctl start fails with the shipped configuration (start-up failed before READY=1)"
  fi
  expect "unit never active, start-up failed" "0 exit-code" \
    "$(prop ActiveEnterTimestampMonotonic) $(prop Result)"
  journal | grep -q "CHANGE-ME.db" && ok "the journal names the unset ERP file" ||
    fail "the journal does not name the ERP file: $(journal | tail -3)"
  # Restart=on-failure would try again in a few seconds: stop that.
  in_container systemctl stop $unit
  in_container systemctl reset-failed $unit 2>/dev/null
}

# The sandbox on loopback, the token, the configuration, three users, a faster watchdog.
configure_against_sandbox() {
  in_container sh -c "umask 077; printf '%s\n' '$token' >/root/sandbox-token; \
    printf '%s\n' '$token' >/etc/kokola-sync/token"
  in_container systemd-run --quiet --unit=kokola-sandbox -p Type=exec \
    /mnt/kokola/kokola-sandbox serve --token-file /root/sandbox-token --port 8080 \
    --db /var/tmp/sandbox.db --quiet
  local i
  for i in $(seq 100); do
    in_container bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break
    sleep 0.1
  done
  in_container sed -i -e 's|/var/lib/erp/CHANGE-ME.db|/srv/erp/erp.db|' \
    -e 's|https://kokola-app.invalid|http://127.0.0.1:8080|' /etc/kokola-sync/kokola-sync.yaml
  in_container mkdir -p /etc/systemd/system/$unit.d
  in_container sh -c "printf '[Service]\nWatchdogSec=3s\nTimeoutAbortSec=2s\nRestartSec=1s\n' \
    >/etc/systemd/system/$unit.d/boot-test.conf"
  in_container systemctl daemon-reload
  in_container useradd -M -G kokola-sync,kokola-sync-admin alice
  in_container useradd -M -G kokola-sync,kokola-sync-viewer bob
  in_container useradd -M carol
}

# The check docs/operations.md gives admins: as the daemon's user, with the credential.
check_config_command() {
  in_container systemd-run --pipe --wait --quiet -p User=kokola-sync \
    -p LoadCredential=kokola-token:/etc/kokola-sync/token kokola-syncd --check-config \
    >"$work/out" 2>&1
  grep -qx "config '/etc/kokola-sync/kokola-sync.yaml': ok" "$work/out" &&
    ok "--check-config as kokola-sync with the credential" || fail "--check-config: $(cat "$work/out")"
}

# The backup docs/operations.md gives: sqlite3 .backup while the daemon runs.
check_backup() {
  in_container sqlite3 /var/lib/kokola-sync/state.db ".backup /root/state-backup.db"
  expect "sqlite3 .backup of the running state store" ok \
    "$(in_container sqlite3 /root/state-backup.db 'PRAGMA integrity_check')"
  expect "the WAL files still belong to the daemon" "kokola-sync kokola-sync" \
    "$(in_container stat -c %U /var/lib/kokola-sync/state.db-wal /var/lib/kokola-sync/state.db-shm | paste -sd' ')"
}

# Active only after READY=1: when `systemctl start` returns the socket already answers.
check_ready() {
  if in_container systemctl start $unit; then ok "systemctl start"; else fail "systemctl start"; fi
  local rc
  rc=$(rc_as alice kokolactl status)
  [ "$rc" = 0 ] || [ "$rc" = 8 ] && ok "the socket answers as soon as start returns" ||
    fail "kokolactl status right after start: exit $rc: $(cat "$work/out")"
  expect "Type=notify" notify "$(prop Type)"
  expect "active (running)" "active running" "$(prop ActiveState) $(prop SubState)"
  local status
  status=$(prop StatusText)
  [ -n "$status" ] && ok "STATUS= reached systemd: $status" || fail "no StatusText"
  in_container systemctl status $unit --no-pager >"$work/out" 2>&1
  grep -qF "Status: \"$status" "$work/out" && ok "systemctl status shows the STATUS= line" ||
    fail "systemctl status: $(cat "$work/out")"
  local pid uid
  pid=$(prop MainPID)
  uid=$(in_container awk '/^Uid:/ {print $2}' /proc/"$pid"/status)
  expect "runs as kokola-sync" "$(in_container id -u kokola-sync)" "$uid"
  expect "control socket" "660 kokola-sync:kokola-sync" \
    "$(in_container stat -c '%a %U:%G' /run/kokola-sync/control.sock)"
  expect "runtime directory" "750 kokola-sync:kokola-sync" \
    "$(in_container stat -c '%a %U:%G' /run/kokola-sync)"
  expect "state store" "600 kokola-sync" \
    "$(in_container stat -c '%a %U' /var/lib/kokola-sync/state.db)"
}

# An admin pushes, a viewer is refused, an outsider cannot connect.
check_roles() {
  local po=PWU2012502-0000517 rc
  rc=$(rc_as alice kokolactl push po $po --reason "boot test")
  expect "admin pushes a PO (exit code)" 0 "$rc"
  in_container /mnt/kokola/kokola-sandbox dump --db /var/tmp/sandbox.db >"$work/dump.json"
  python3 - "$work/dump.json" "$po" <<'PY' && ok "the sandbox holds $po" || fail "$po not in the sandbox"
import json, sys
records = json.load(open(sys.argv[1]))["records"]["po"]
sys.exit(0 if any(r["key"] == sys.argv[2] for r in records) else 1)
PY
  rc=$(rc_as bob kokolactl status)
  [ "$rc" = 0 ] || [ "$rc" = 8 ] && ok "viewer reads status" || fail "viewer status: exit $rc"
  rc=$(rc_as bob kokolactl push po PWU2012502-0000520)
  expect "viewer is refused a push (exit 77)" 77 "$rc"
  grep -q permission_denied "$work/out" && ok "viewer sees permission_denied" ||
    fail "viewer push said: $(cat "$work/out")"
  rc=$(rc_as carol kokolactl status)
  expect "outsider cannot connect (exit 77)" 77 "$rc"
  grep -q "permission denied" "$work/out" && ok "outsider is told why" ||
    fail "outsider was told: $(cat "$work/out")"
}

# The hardening holds and the daemon still works within it.
check_hardened() {
  if journal | grep -Eiq 'SIGSYS|status=31|bad system call|seccomp'; then
    fail "a system call was refused: $(journal | grep -Ei 'SIGSYS|status=31|system call' | head -3)"
  else
    ok "no system call killed"
  fi
  expect "no restart so far" "0 active" "$(prop NRestarts) $(prop ActiveState)"
  local strays
  strays=$(in_container find / /run /tmp /var/tmp -xdev -user kokola-sync 2>/dev/null |
    grep -Ev '^/(var/lib|run)/kokola-sync(/|$)|^/run/credentials/kokola-syncd.service$' |
    grep -v '^/proc' | sort -u)
  [ -z "$strays" ] && ok "nothing owned by kokola-sync outside its directories" ||
    fail "written outside its directories: $strays"
}

# A loop that stops turning stops the pings: systemd aborts and restarts the daemon.
check_watchdog() {
  local pid restarts i
  pid=$(prop MainPID)
  restarts=$(prop NRestarts)
  in_container kill -STOP "$pid"
  for i in $(seq 300); do
    [ "$(prop MainPID)" != "$pid" ] && [ "$(prop MainPID)" != 0 ] &&
      [ "$(prop ActiveState)" = active ] && break
    sleep 0.2
  done
  [ "$(prop MainPID)" != "$pid" ] && ok "watchdog: a new daemon (pid $pid -> $(prop MainPID))" ||
    fail "watchdog: still pid $pid ($(prop ActiveState) $(prop SubState))"
  expect "watchdog: NRestarts grew" $((restarts + 1)) "$(prop NRestarts)"
  journal | grep -q "Watchdog timeout" && ok "watchdog: systemd logged the timeout" ||
    fail "watchdog: no 'Watchdog timeout' in the journal"
  local rc
  rc=$(rc_as alice kokolactl status)
  [ "$rc" = 0 ] || [ "$rc" = 8 ] && ok "watchdog: the new daemon answers" ||
    fail "after the restart: exit $rc: $(cat "$work/out")"
}

check_stop() {
  if in_container systemctl stop $unit; then ok "systemctl stop"; else fail "systemctl stop"; fi
  expect "stopped cleanly" "inactive success 0" \
    "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
  journal | tail -5 | grep -q "kokola-syncd stopped" && ok "the daemon logged its stop" ||
    fail "no stop line: $(journal | tail -3)"
  in_container test ! -e /run/kokola-sync && ok "runtime directory removed" ||
    fail "/run/kokola-sync left behind"
}

# --- Reload: run with --reload once SIGHUP reloads the whole configuration ---------------
config_generation() {
  as_user alice kokolactl status --json >"$work/status.json" 2>/dev/null
  json_get "$work/status.json" config_generation
}

check_reload() {
  in_container systemctl start $unit || fail "systemctl start"
  local pid before after
  pid=$(prop MainPID)
  before=$(config_generation)
  in_container sed -i 's/vendor: {enabled: true, interval: 5m}/vendor: {enabled: true, interval: 7m}/' \
    /etc/kokola-sync/kokola-sync.yaml
  in_container systemctl reload $unit && ok "systemctl reload" || fail "systemctl reload"
  wait_journal 20 "configuration reloaded" && ok "reload: 'configuration reloaded' logged" ||
    fail "reload: no 'configuration reloaded' in the journal"
  after=$(config_generation)
  [[ $before =~ ^[0-9]+$ ]] && expect "reload: config_generation + 1" $((before + 1)) "$after" ||
    fail "reload: status --json has no config_generation ('$before')"
  expect "reload: same daemon, active (running)" "$pid active running" \
    "$(prop MainPID) $(prop ActiveState) $(prop SubState)"

  in_container sh -c 'printf "no_such_key: 1\n" >>/etc/kokola-sync/kokola-sync.yaml'
  in_container systemctl reload $unit
  wait_journal 20 "keeping the previous configuration" &&
    ok "broken config: 'keeping the previous configuration' logged" ||
    fail "broken config: no 'keeping the previous configuration' in the journal"
  [[ $after =~ ^[0-9]+$ ]] &&
    expect "broken config: config_generation unchanged" "$after" "$(config_generation)" ||
    fail "broken config: status --json has no config_generation ('$after')"
  expect "broken config: same daemon, active (running)" "$pid active running" \
    "$(prop MainPID) $(prop ActiveState) $(prop SubState)"
  local rc
  rc=$(rc_as alice kokolactl status)
  [ "$rc" = 0 ] || [ "$rc" = 8 ] && ok "broken config: the daemon still answers" ||
    fail "broken config: exit $rc: $(cat "$work/out")"
  # The changed interval (5m -> 7m) is what runs.
  as_user alice kokolactl status --json >"$work/status.json" 2>/dev/null
  expect "reload: the new vendor interval applies" 420 \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entities"]["vendor"]["interval_s"])' "$work/status.json")"

  # Repaired, the next reload applies again; the later checks run on a valid file.
  in_container sed -i '/^no_such_key:/d' /etc/kokola-sync/kokola-sync.yaml
  in_container systemctl reload $unit
  wait_journal 20 "generation $((after + 1))" && ok "repaired config: reloaded" ||
    fail "repaired config: no 'generation $((after + 1))' in the journal"
}
