#!/usr/bin/env bash
# Runs both end-to-end suites against the server binary $DYNAMO_EMU_BIN: the
# JS SDK v3 suite (node --test, packages from the lockfile) and the boto3 /
# AWS CLI / raw-HTTP suite (unittest). Exits non-zero if either fails.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DYNAMO_EMU_BIN:?set DYNAMO_EMU_BIN to the dynamo-emu binary under test}"
status=0

echo "== JS SDK v3 end-to-end (node --test) against $DYNAMO_EMU_BIN"
(cd tests/e2e/js && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } &&
  npm test) || status=1

echo "== boto3 / AWS CLI / HTTP end-to-end (unittest) against $DYNAMO_EMU_BIN"
python=python3
if ! python3 -c "import boto3, requests" 2>/dev/null; then python=/usr/bin/python3; fi
"$python" -m unittest discover -s tests/e2e/python -t . -v || status=1

exit $status
