#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test: a short run of each
# fuzz target (docs/fuzzing.md), then unit tests, end-to-end tests against the real sandbox and
# contract tests with the validating mock (ctest, last, so that its summary closes the output).
# Run as root on a fresh Debian 12 machine; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash tests/contract/install.sh
bash scripts/check-format.sh
bash scripts/build.sh
# The boot test's .deb and, the first time only, its cached Debian rootfs (mmdebstrap).
bash tests/boot/prepare.sh "${KOKOLA_BUILD_DIR:-build}" >/dev/null
bash scripts/fuzz.sh 20

cd "${KOKOLA_BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 600
