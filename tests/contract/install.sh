#!/bin/sh
# Installs the pinned contract-test tooling (@stoplight/prism-cli, see package.json and
# package-lock.json) into tests/contract/node_modules, unless it is already there.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
