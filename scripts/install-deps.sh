#!/usr/bin/env bash
# Installs the Debian 12 packages that build and test kokola-sync. Idempotent: packages
# already present are left alone. Run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  libboost-dev libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libyaml-cpp-dev
  libsqlite3-dev sqlite3 libssl-dev libcli11-dev libgtest-dev libgmock-dev
  libhowardhinnant-date-dev tzdata libsystemd-dev
  python3 scdoc curl ca-certificates openssl
  clang libclang-rt-14-dev
  libpq-dev postgresql postgresql-client
  mmdebstrap systemd-container
  wrk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The contract tests run the validating mock with Node.js; the machine image may already
# carry a Node.js of its own, which Debian's nodejs package would conflict with.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run this script as root)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
