#!/usr/bin/env bash
# The boot test: the .deb's unit under a real systemd. Builds the package (tests/boot/
# prepare.sh, which also caches a Debian 12 rootfs), boots that rootfs with systemd-nspawn,
# installs the package with dpkg, starts the Kokola sandbox inside on loopback, configures
# kokola-syncd against it and a demo ERP, and checks what systemd and the users see.
#
#   boot_test.sh            install, configure, readiness, status, roles, reload, watchdog,
#                           stop
#   boot_test.sh --reload   the reload checks only (systemctl reload with a changed and with a
#                           broken configuration)
#
# Environment: KOKOLA_BIN_DIR (the build directory), KOKOLA_SOURCE_DIR. Run as root.
set -uo pipefail

src=${KOKOLA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${KOKOLA_BIN_DIR:-$src/build}
mode=${1:-all}
source "$src/tests/boot/container.sh"
source "$src/tests/boot/checks.sh"

work=$(mktemp -d /tmp/kokola-boot.XXXXXX)
cleanup() {
  if [ "$failed" -ne 0 ] && [ -n "${CONTAINER_PID:-}" ]; then
    echo "--- journal of kokola-syncd ---"
    in_container journalctl -u kokola-syncd --no-pager -o short-monotonic | tail -60
  fi
  container_stop
  rm -rf "$work"
}
trap cleanup EXIT

eval "$(bash "$src/tests/boot/prepare.sh" "$bin")" || { echo "boot: prepare failed"; exit 1; }
echo "boot: package $DEB, rootfs $ROOTFS"

mkdir -p "$work/erp"
python3 "$src/scripts/demo_erp.py" --sqlite "$work/erp/erp.db" >/dev/null
container_boot "$ROOTFS" "kokola-$$" "$work/console.log" \
  --bind-ro="$DEB:/mnt/kokola/kokola-sync.deb" \
  --bind-ro="$bin/kokola-sandbox:/mnt/kokola/kokola-sandbox" \
  --bind-ro="$work/erp:/srv/erp" || { echo "boot: the container did not boot"; exit 1; }

install_package
if [ "$mode" = --reload ]; then
  configure_against_sandbox
  check_reload
else
  check_package
  check_unconfigured
  configure_against_sandbox
  check_config_command
  check_ready
  check_roles
  check_reload
  check_hardened
  check_backup
  check_watchdog
  check_stop
fi

echo "boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
