#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for SECONDS (default 60) from its seed
# corpus in fuzz/corpus/<target>/ (the seeds are not modified; what a run adds
# goes to a scratch directory). The targets are built with clang,
# AddressSanitizer and UBSan in build-asan/ (scripts/sanitize.sh --build-only
# address). A crash, a leak, a sanitizer report or a 500 stops a target with a
# non-zero exit; the input that did it is kept in build-asan/fuzz-artifacts/
# (make it a regression test).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(attribute_values expressions dispatch http)

bash scripts/sanitize.sh --build-only address
out=build-asan/fuzz-artifacts
mkdir -p "$out"
status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  echo "== fuzz $t (${seconds} s)"
  if ! ./build-asan/fuzz/"${t}"_fuzzer "$work" "fuzz/corpus/$t" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$out/${t}-" >"$out/$t.log" 2>&1; then
    status=1
    tail -60 "$out/$t.log"
  fi
  grep -E "^#[0-9]+\s+DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$out/$t.log" || true
  echo "corpus: $(find "$work" -type f | wc -l) new inputs"
  rm -rf "$work"
done
exit $status
