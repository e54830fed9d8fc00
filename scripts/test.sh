#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: GoogleTest suites (ctest),
# the JS SDK v3 end-to-end suite (node --test), and the boto3 / AWS CLI /
# raw-HTTP end-to-end suite (unittest). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh --test
bash scripts/build.sh

export DYNAMO_EMU_BIN="$root/build/server/dynamo-emu"
status=0

echo "== GoogleTest (ctest)"
(cd build && ctest --output-on-failure -j"$(nproc)") || status=1

echo "== JS SDK v3 end-to-end (node --test)"
(cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error && npm test) || status=1

echo "== boto3 / AWS CLI / HTTP end-to-end (unittest)"
python=python3
if ! python3 -c "import boto3, requests" 2>/dev/null; then python=/usr/bin/python3; fi
"$python" -m unittest discover -s tests/e2e/python -t . -v || status=1

exit $status
