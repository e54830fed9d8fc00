#!/usr/bin/env bash
# Installs dependencies, builds, and starts dynamo-emu on port 8000 with its
# default embedded SQLite store (./dynamo-emu-data). Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/server/dynamo-emu "$@"
