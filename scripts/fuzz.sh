#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and UBSan
# into build-fuzz/, then runs each for SECONDS (default 60) from its seed
# corpus in fuzz/corpus/<target>/ (the seeds are not modified; what a run
# adds goes to a scratch directory). A crash, a leak, a sanitizer report or
# a 500 stops the run with a non-zero exit; the input that did it is kept in
# build-fuzz/artifacts/ (make it a regression test).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(attribute_values expressions dispatch http)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDYNAMO_BUILD_FUZZERS=ON -DDYNAMO_BUILD_TESTS=OFF -DDYNAMO_BUILD_BENCH=OFF \
  -DDYNAMO_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzzers

mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  echo "== fuzz $t (${seconds} s)"
  if ! ./build-fuzz/fuzz/"${t}"_fuzzer "$work" "fuzz/corpus/$t" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/${t}-" >"build-fuzz/$t.log" 2>&1; then
    status=1
    tail -60 "build-fuzz/$t.log"
  fi
  grep -E "^#[0-9]+\s+DONE|stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$t.log" || true
  echo "corpus: $(find "$work" -type f | wc -l) new inputs"
  rm -rf "$work"
done
exit $status
