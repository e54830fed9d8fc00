#!/usr/bin/env bash
# Installs what dynamo-emu needs to build and test on Debian 12 (run as root).
set -euo pipefail

packages=(build-essential cmake pkg-config libboost1.81-dev rapidjson-dev libsqlite3-dev
          libgtest-dev libgmock-dev zlib1g-dev libssl-dev)
if [[ "${1:-}" == "--test" ]]; then
  # End-to-end clients: the AWS CLI v2 (Debian's awscli), boto3 and requests.
  packages+=(awscli python3-boto3 python3-requests)
  # pytest: the embedding example's fixture (examples/embedding/python).
  packages+=(python3-pytest)
  # faketime: runs the AWS CLI with a skewed clock (SigV4 "Signature expired" test).
  packages+=(faketime)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
  # Headless Chromium for the browser tests (tests/e2e/js/browser-*.test.mjs,
  # driven by puppeteer-core from npm).
  packages+=(chromium)
  # Sanitizer and fuzz builds (scripts/sanitize.sh, scripts/fuzz.sh): clang,
  # its runtimes (ASan, UBSan, TSan, libFuzzer; only recommended by clang, so
  # named here) and llvm-symbolizer for readable reports.
  packages+=(clang libclang-rt-14-dev llvm-14)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
