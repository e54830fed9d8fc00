#!/usr/bin/env bash
# The embedding API as its users take it, from outside the source tree
# (README, "Embedding"): against the build in $BUILD_DIR (default build/),
#   1. `cmake --install` into a temporary prefix; the C++ consumer project
#      (examples/embedding/cmake-consumer: find_package(DynamoEmu), the
#      GoogleTest fixture) and a C program (pkg-config) build and pass
#   2. the same consumer with the source tree vendored (add_subdirectory)
#   3. the Python binding's tests and the Python example (boto3; unittest
#      and pytest fixtures)
#   4. the Node binding's tests and the Node example (JS SDK v3)
# Exits non-zero if any fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
work=$(mktemp -d /tmp/dynamo-emu-embedding.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$repo/examples/embedding" "$work/examples"
prefix=$work/prefix
lib=$prefix/lib/libdynamo-emu.so
status=0
step() { echo "== embedding: $*"; }

step "cmake --install, then find_package(DynamoEmu) from a consumer project"
cmake --install "$build" --prefix "$prefix" >/dev/null
# The libdir GNUInstallDirs picks (lib, or lib/<multiarch>).
lib=$(find "$prefix" -name 'libdynamo-emu.so' | head -1)
(cmake -S "$work/examples/cmake-consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
   >/dev/null &&
  cmake --build "$work/consumer" -j"$(nproc)" >/dev/null &&
  ctest --test-dir "$work/consumer" --output-on-failure) || status=1

step "a C program through pkg-config"
(export PKG_CONFIG_PATH=$(dirname "$lib")/pkgconfig
  # shellcheck disable=SC2046 # word splitting of the flags is meant
  cc -std=c99 -Wall -Werror "$work/examples/c/list_tables.c" $(pkg-config --cflags --libs dynamo-emu) \
    -Wl,-rpath,"$(dirname "$lib")" -o "$work/list_tables" &&
  "$work/list_tables") || status=1

step "add_subdirectory: the consumer with the source tree vendored"
(cmake -S "$work/examples/cmake-subdirectory" -B "$work/vendored" \
   -DDYNAMO_EMU_SOURCE_DIR="$repo" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 >/dev/null &&
  cmake --build "$work/vendored" -j"$(nproc)" --target orders_test >/dev/null &&
  ctest --test-dir "$work/vendored" --output-on-failure) || status=1

python=python3
if ! python3 -c "import boto3" 2>/dev/null; then python=/usr/bin/python3; fi
step "Python binding (ctypes) with boto3"
(cd "$repo/bindings/python" && DYNAMO_EMU_LIB=$lib PYTHONPATH=. \
  "$python" -m unittest discover -s tests -t . -v) || status=1
# The example's unittest module and its pytest fixtures (conftest.py), with
# Debian's pytest (python3-pytest).
(cd "$work/examples/python" && DYNAMO_EMU_LIB=$lib PYTHONPATH="$repo/bindings/python" \
  /usr/bin/python3 -m pytest -v -p no:cacheprovider) || status=1

step "Node binding (koffi) with the JS SDK v3"
(cd "$repo/bindings/node" && npm ci --no-audit --no-fund --loglevel=error &&
  DYNAMO_EMU_LIB=$lib npm test) || status=1
(cd "$work/examples/node" && npm ci --no-audit --no-fund --loglevel=error &&
  npm install --no-audit --no-fund --loglevel=error --no-save "$repo/bindings/node" &&
  DYNAMO_EMU_LIB=$lib npm test) || status=1

exit $status
