#!/usr/bin/env bash
# Lists production functions longer than N lines (default 100), as clang-tidy's
# readability-function-size counts them. Needs a configured build/ (for
# compile_commands.json). Prints one line per function and the count.
#
#   bash scripts/long-functions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
threshold=${1:-100}
files=$(git ls-files 'core/*.cc' 'expr/*.cc' 'storage/*.cc' 'storage/**/*.cc' 'server/*.cc' \
  'server/**/*.cc' | sort -u)
config="{CheckOptions: [{key: readability-function-size.LineThreshold, value: $threshold}]}"
found=$(for f in $files; do
  clang-tidy -p build --quiet --checks='-*,readability-function-size' --config="$config" "$f" \
    2>/dev/null | grep 'exceeds recommended size' || true
done)
[[ -n "$found" ]] && echo "$found" | sed 's/: warning: / /; s/ exceeds recommended.*//'
echo "functions over $threshold lines: $(grep -c . <<<"$found" || true)"
