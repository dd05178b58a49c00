#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test (unit tests,
# end-to-end tests against the real sandbox, contract tests with the validating mock).
# Run as root on a fresh Debian 12 machine; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash tests/contract/install.sh
bash scripts/check-format.sh
bash scripts/build.sh

cd "${KOKOLA_BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 600
