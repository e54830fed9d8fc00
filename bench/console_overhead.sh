#!/usr/bin/env bash
# What the console and its conflict feed cost the server: throughput and
# server CPU per request (from /proc/<pid>/stat) of
#   GetItem          console closed, Chromium open on about:blank (what the
#                    browser alone costs on this machine), console open
#   StaleUpdateItem  (every request a ConditionalCheckFailedException, so
#                    every request writes to the feed) with the feed off
#                    (--conflict-feed-size 0), on, and on with the console open
# Each configuration runs ROUNDS times (default 3), interleaved; the median
# is printed. The browser shares the machine's cores with the server and the
# load client, as it would on a laptop.
#
#   bash bench/console_overhead.sh            # after the build (build/)
#   SECONDS_PER_RUN=5 ROUNDS=3 CONNECTIONS=2 bash bench/console_overhead.sh
#
# Needs tests/e2e/js/node_modules (npm ci there) and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DYNAMO_EMU_BIN:-build/server/dynamo-emu}
CLIENT=${BENCH_CLIENT:-build/bench/bench_client}
SECS=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNECTIONS:-2}
CHROMIUM=${CHROMIUM_BIN:-/usr/bin/chromium}
TICKS=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

server_pid=""
browser_pid=""
cleanup() {
  [[ -n "$browser_pid" ]] && kill "$browser_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_server() {  # feed size
  port=$(free_port)
  "$BIN" --port "$port" --in-memory --log-level warn --conflict-feed-size "$1" &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && return
    sleep 0.05
  done
  echo "server did not start" >&2
  exit 1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Opens a page in headless Chromium, /console by default, and keeps it
# open until killed.
open_console() {  # [url]
  local url=${1:-http://127.0.0.1:$port/console}
  (cd tests/e2e/js && exec node --input-type=module -e "
    import puppeteer from 'puppeteer-core';
    const browser = await puppeteer.launch({ executablePath: '$CHROMIUM', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage();
    await page.goto('$url');
    if ('$url' !== 'about:blank') {
      await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('connected'));
    }
    console.log('console open');
    process.on('SIGTERM', async () => { await browser.close(); process.exit(0); });
    setInterval(() => {}, 1000);
  ") > /tmp/console-overhead-browser.log 2>&1 &
  browser_pid=$!
  for _ in $(seq 200); do
    if grep -q 'console open' /tmp/console-overhead-browser.log; then
      sleep 3  # the browser's start-up work done: measure it idle, polling
      return
    fi
    sleep 0.05
  done
  echo "the console did not open:" >&2
  cat /tmp/console-overhead-browser.log >&2
  exit 1
}

close_console() {
  kill "$browser_pid"
  wait "$browser_pid" 2>/dev/null || true
  browser_pid=""
}

# One run: "<req/s> <server CPU us per request>"
measure() {  # op
  local before after out requests
  before=$(cpu_ticks "$server_pid")
  out=$("$CLIENT" --port "$port" --op "$1" --connections "$CONNS" --seconds "$SECS")
  after=$(cpu_ticks "$server_pid")
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$out")
  grep -q ' errors=0 ' <<<"$out" || { echo "unexpected errors: $out" >&2; exit 1; }
  awk -v r="$requests" -v s="$SECS" -v t=$((after - before)) -v hz="$TICKS" \
    'BEGIN { printf "%.0f %.1f\n", r / s, t / hz * 1e6 / r }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A rps cpu
configs=("GetItem closed" "GetItem blank page" "GetItem open" "Stale feed-off" "Stale feed-on" "Stale feed-on+open")
for _ in $(seq "$ROUNDS"); do
  for config in "${configs[@]}"; do
    case "$config" in
      "GetItem closed") size=256 op=GetItem console=0 ;;
      "GetItem blank page") size=256 op=GetItem console=2 ;;
      "GetItem open") size=256 op=GetItem console=1 ;;
      "Stale feed-off") size=0 op=StaleUpdateItem console=0 ;;
      "Stale feed-on") size=256 op=StaleUpdateItem console=0 ;;
      "Stale feed-on+open") size=256 op=StaleUpdateItem console=1 ;;
    esac
    start_server "$size"
    "$CLIENT" --port "$port" --op "$op" --connections "$CONNS" --seconds 0.5 >/dev/null || true
    if ((console == 1)); then open_console; elif ((console == 2)); then open_console about:blank; fi
    read -r r c < <(measure "$op")
    ((console)) && close_console
    stop_server
    rps[$config]+="$r "
    cpu[$config]+="$c "
  done
done

printf '%-22s %12s %22s\n' "configuration" "req/s" "server CPU us/request"
for config in "${configs[@]}"; do
  r=$(tr ' ' '\n' <<<"${rps[$config]}" | grep . | median)
  c=$(tr ' ' '\n' <<<"${cpu[$config]}" | grep . | median)
  printf '%-22s %12s %22s   (runs: %s)\n' "$config" "$r" "$c" "${rps[$config]}"
done
