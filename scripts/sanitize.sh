#!/usr/bin/env bash
# Builds dynamo-emu and its tests with clang and a sanitizer, then runs every
# suite against that build: the GoogleTest suites (ctest) and both end-to-end
# suites, whose servers are the sanitized binary.
#
#   address  AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer at
#            exit) in build-asan/, which also holds the fuzz targets
#            (scripts/fuzz.sh runs them)
#   thread   ThreadSanitizer in build-tsan/
#
# A finding fails the run: the runtimes write every report to
# build-*/sanitizer-logs/ (a file per process, servers started by the tests
# included), and any file there is listed and fails the run even if the test
# that caused it passed.
#
#   bash scripts/sanitize.sh [--build-only] [address|thread]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_only=0
if [[ "${1:-}" == "--build-only" ]]; then build_only=1; shift; fi
kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)

configure_and_build() {  # kind dir
  local flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNAMO_BUILD_BENCH=OFF)
  case $1 in
    address) flags+=(-DDYNAMO_SANITIZE=address,undefined -DDYNAMO_BUILD_FUZZERS=ON) ;;
    thread) flags+=(-DDYNAMO_SANITIZE=thread) ;;
    *) echo "unknown sanitizer '$1' (address or thread)" >&2; return 2 ;;
  esac
  CC=clang CXX=clang++ cmake -S . -B "$2" "${flags[@]}" >/dev/null
  cmake --build "$2" -j"$(nproc)"
}

status=0
for kind in "${kinds[@]}"; do
  dir=build-asan
  [[ $kind == thread ]] && dir=build-tsan
  echo "== $kind sanitizer: build ($dir)"
  configure_and_build "$kind" "$dir"
  ((build_only)) && continue

  logs="$root/$dir/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1"
  export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
  export TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1"
  export DYNAMO_EMU_BIN="$root/$dir/server/dynamo-emu"

  echo "== $kind sanitizer: GoogleTest (ctest)"
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)") || status=1
  bash scripts/e2e.sh || status=1

  if compgen -G "$logs/*" >/dev/null; then
    echo "== $kind sanitizer: reports in $logs"
    for f in "$logs"/*; do echo "-- $f"; head -80 "$f"; done
    status=1
  else
    echo "== $kind sanitizer: no reports"
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
done
exit $status
