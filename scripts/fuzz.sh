#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/fuzzing.md) in build-fuzz with clang and runs
# each for SECONDS (default 600) on a copy of its seed corpus, so that the seeds under
# fuzz/corpus/ stay small and under version control. Fails on the first crash, leak,
# timeout or sanitizer report; libFuzzer leaves the input that caused it in build-fuzz/.
#   usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
build_dir=build-fuzz
targets=(protocol config mapper response)

CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DKOKOLA_BUILD_FUZZERS=ON \
  -DKOKOLA_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j2 --target "${targets[@]/%/_fuzz}"

for name in "${targets[@]}"; do
  work="$build_dir/corpus/$name"
  rm -rf "$work"
  mkdir -p "$work"
  cp fuzz/corpus/"$name"/* "$work"/
  echo "fuzz: $name for ${seconds}s"
  (cd "$build_dir" && "./${name}_fuzz" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "corpus/$name" 2>"$name.log") || {
    tail -n 60 "$build_dir/$name.log" >&2
    echo "fuzz: $name failed; the crashing input is in $build_dir/ (see $build_dir/$name.log)" >&2
    exit 1
  }
  grep -E '^stat::number_of_executed_units|^Done' "$build_dir/$name.log" || true
done
echo "fuzz: all targets ran ${seconds}s without a finding"
