#!/usr/bin/env bash
# Configures and builds kokola-sync into build/ (or $KOKOLA_BUILD_DIR) with two jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${KOKOLA_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${KOKOLA_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" -j2 "$@"
