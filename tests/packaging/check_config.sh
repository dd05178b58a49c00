#!/usr/bin/env bash
# Checks that the packaged pieces agree with each other and that the shipped configuration
# is valid but cannot push: the daemon's own --check-config accepts its syntax and refuses
# it for the unset ERP file; the app is under .invalid; the unit, the sysusers file, the
# conffiles list and the configuration name the same paths and groups.
set -u
src=${KOKOLA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${KOKOLA_BIN_DIR:-$src/build}
config=$src/etc/kokola-sync.yaml
unit=$src/systemd/kokola-syncd.service
sysusers=$src/systemd/kokola-sync.sysusers
passed=0
failed=0

check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
unit_value() { sed -n "s/^$1=//p" "$unit" | head -1; }
config_value() { sed -n "s/^ *$1: *\([^ #]*\).*/\1/p" "$config" | head -1; }

# The daemon reads the shipped file as the unit runs it: the token as a credential.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
echo "not-a-real-token" >"$work/kokola-token"
out=$(CREDENTIALS_DIRECTORY=$work "$bin/kokola-syncd" --config "$config" --check-config 2>&1)
rc=$?
check "the daemon refuses the shipped configuration (exit 78, got $rc): $out" [ "$rc" = 78 ]
check "the shipped configuration parses: $out" eval '! grep -q "invalid configuration" <<<"$out"'
check "the refusal names the unset ERP file: $out" eval 'grep -q "CHANGE-ME.db" <<<"$out"'
check "the app is under .invalid" eval '[[ $(config_value base_url) == https://*.invalid ]]'
check "no token_file (the credential is used)" eval '! grep -q "token_file" <(grep -v "^ *#" "$config")'

# The unit, the configuration and the package agree.
check "ExecStart reads the packaged config" \
  eval '[[ $(unit_value ExecStart) == *"--config /etc/kokola-sync/kokola-sync.yaml"* ]]'
check "the config is the conffile" grep -qx /etc/kokola-sync/kokola-sync.yaml "$src/packaging/deb/conffiles"
check "the socket is in RuntimeDirectory" \
  [ "$(config_value socket)" = "/run/$(unit_value RuntimeDirectory)/control.sock" ]
check "the state store is in StateDirectory" \
  [ "$(sed -n '/^state:/,/^[^ ]/s/^ *path: *\([^ #]*\).*/\1/p' "$config")" = \
    "/var/lib/$(unit_value StateDirectory)/state.db" ]
check "the credential is kokola-token" \
  [ "$(unit_value LoadCredential)" = "kokola-token:/etc/kokola-sync/token" ]
check "the unit's user comes from sysusers" \
  grep -Eq "^u +$(unit_value User) " "$sysusers"
for group in $(sed -n 's/^ *\(admin\|viewer\)_groups: *\[\([^]]*\)\].*/\2/p' "$config" | tr ',' ' '); do
  check "group $group comes from sysusers" grep -Eq "^g +$group " "$sysusers"
done
check "no PrivateUsers= (SO_PEERCRED must see real uids)" eval '! grep -q "^PrivateUsers" "$unit"'

echo "packaging config: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
