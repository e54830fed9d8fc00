#!/usr/bin/env bash
# Write throughput and latency over HTTP: starts dynamo-emu on a free port with
# a fresh file store, then runs bench_client for PutItem, conditional
# UpdateItem and TransactWriteItems on 1 and 4 connections.
#
#   bash bench/write_path_http.sh [server-binary] [bench_client-binary]
set -euo pipefail
server=${1:-build/server/dynamo-emu}
client=${2:-build/bench/bench_client}
seconds=${SECONDS_PER_RUN:-5}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$server" --port "$port" --db-path "$dir" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.1)" 2>/dev/null && break
  sleep 0.05
done
for op in PutItem UpdateItem TransactWriteItems; do
  for c in 1 4; do
    "$client" --port "$port" --op "$op" --connections "$c" --seconds "$seconds" --items 100
  done
done
