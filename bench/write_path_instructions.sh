#!/usr/bin/env bash
# Instructions per request of each write operation, counted by callgrind
# (repeatable for the same binary and inputs, whatever else the machine does):
# (instructions for N2 requests - instructions for N1 requests) / (N2 - N1),
# so set-up and start-up cancel out.
#
#   bash bench/write_path_instructions.sh [build/bench/bench_write_path]
set -euo pipefail
bin=${1:-build/bench/bench_write_path}
n1=${N1:-200}
n2=${N2:-1200}
ops=("PutItem" "PutItem (GSI)" "PutItem (stream)" "PutItem (TTL)" "UpdateItem (conditional)" "BatchWriteItem (25 puts)" "DeleteItem"
     "TransactWriteItems (4 updates)" "TransactWriteItems (2 puts)"
     "ExecuteStatement INSERT" "ExecuteStatement UPDATE (cond)" "ExecuteTransaction (4 updates)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {  # op requests -> instruction count
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" --only "$1" --requests "$2" \
    --repeats 1 --dir "$tmp/db" >/dev/null 2>"$tmp/err"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err"
}
printf '%-32s %14s\n' operation instr/request
for op in "${ops[@]}"; do
  if [[ "$op" == "DeleteItem" ]]; then
    echo "DeleteItem deletes what BatchWriteItem wrote in the same run: not measured alone" >&2
    continue
  fi
  a=$(count "$op" "$n1")
  b=$(count "$op" "$n2")
  printf '%-32s %14d\n' "$op" $(((b - a) / (n2 - n1)))
done
