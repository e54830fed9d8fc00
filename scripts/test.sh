#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (what runs where: README,
# "Tests"). Exits non-zero if anything fails.
#   1. build/: GoogleTest suites (ctest), the JS SDK v3 end-to-end suite
#      (node --test), the boto3 / AWS CLI / raw-HTTP suite (unittest), the
#      embedding routes from outside the tree (scripts/embedding.sh), a quick
#      benchmark run with its correctness checks (bench/compare.py --quick),
#      and the Docker image's recipe run natively (scripts/docker-build.sh)
#   2. build-asan/: the same suites under AddressSanitizer + UBSan
#   3. the four fuzz targets, FUZZ_SECONDS (default 60) each
#   4. build-tsan/: the same suites under ThreadSanitizer
# SANITIZERS=0 skips 2-4 (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh --test
bash scripts/build.sh

export DYNAMO_EMU_BIN="$root/build/server/dynamo-emu"
status=0
start=$SECONDS
section() { echo "== [$((SECONDS - start)) s] $*"; }

section "GoogleTest (ctest)"
(cd build && ctest --output-on-failure -j"$(nproc)") || status=1
(cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error) || status=1
bash scripts/e2e.sh || status=1
section "embedding: install, consumer projects, Python and Node bindings (scripts/embedding.sh)"
bash scripts/embedding.sh || status=1
section "benchmark smoke run (bench/compare.py --quick: dynamo-emu only, its correctness checks)"
python3 bench/compare.py --quick --emu-bin "$DYNAMO_EMU_BIN" --loadgen "$root/build/bench/loadgen" \
  --json "$root/build/bench/compare-quick.json" || status=1
section "Docker recipe (scripts/docker-build.sh: Release build, staged, smoke-tested)"
bash scripts/docker-build.sh || status=1

if [[ "${SANITIZERS:-1}" != 0 ]]; then
  section "AddressSanitizer + UBSan"
  bash scripts/sanitize.sh address || status=1
  section "fuzzing"
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}" || status=1
  section "ThreadSanitizer"
  bash scripts/sanitize.sh thread || status=1
fi
section "done (status $status)"
exit $status
