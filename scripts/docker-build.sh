#!/usr/bin/env bash
# The Docker image's recipe, runnable where no Docker engine is: the build
# stage of docker/Dockerfile runs it, and scripts/test.sh runs it natively.
#   1. build: a Release dynamo-emu in build-release/ (only that target), from
#      the files the Dockerfile COPYs and no others, or the binary given with
#      --binary (for a quick local check)
#   2. stage, under DIR (--stage, default build-release/stage), what the
#      runtime image carries:
#        usr/local/bin/dynamo-emu   the binary, stripped
#        usr/local/bin/java         docker/java, the amazon/dynamodb-local shim
#        runtime-packages           the Debian packages of its shared libraries
#   3. smoke-test the staged files as the image runs them: `java` with
#      DynamoDB Local's arguments in a scratch WORKDIR, real requests, data
#      under ./data kept across a restart, --health-check against a live and
#      a dead port, clean stops, and refusals that end the process at once.
# Needs bash, dpkg and coreutils only; the AWS CLI, when installed, sends one
# more request. Exits non-zero on the first failure, with the server's output.
# Usage: scripts/docker-build.sh [--binary FILE] [--stage DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

binary=""
stage="$root/build-release/stage"
while (($#)); do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --stage) stage=$(realpath -m "$2"); shift 2 ;;
    *) echo "usage: $0 [--binary FILE] [--stage DIR]" >&2; exit 2 ;;
  esac
done
start=$SECONDS
step() { echo "== docker recipe [$((SECONDS - start)) s] $*"; }

# ---- 1. build --------------------------------------------------------------

if [[ -z "$binary" ]]; then
  # From exactly what the Dockerfile's build stage COPYs (in the image, /src
  # holds nothing else): a file the build needs and the image lacks fails
  # here too.
  src=$root/build-release-src
  rm -rf "$src"
  mkdir -p "$src"
  while read -r path; do
    cp -r "$path" "$src/"
  done < <(awk '$1 == "COPY" && $2 !~ /^--from/ { print $2 }' docker/Dockerfile)
  # A build-release/ configured from elsewhere (before this rule) starts over.
  if [[ -f build-release/CMakeCache.txt ]] &&
    ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$src" build-release/CMakeCache.txt; then
    rm -rf build-release
  fi
  step "Release build (build-release/, target dynamo-emu, from the image's sources)"
  cmake -S "$src" -B build-release -DCMAKE_BUILD_TYPE=Release -DDYNAMO_BUILD_TESTS=OFF \
    -DDYNAMO_BUILD_BENCH=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" --target dynamo-emu
  binary="$root/build-release/server/dynamo-emu"
fi

# ---- 2. stage --------------------------------------------------------------

step "staging into $stage"
rm -rf "$stage"
install -d "$stage/usr/local/bin"
install -m 0755 -s "$binary" "$stage/usr/local/bin/dynamo-emu"
install -m 0755 docker/java "$stage/usr/local/bin/java"

# The Debian package of a shared library. ldd names /lib/... or /usr/lib/...
# and dpkg knows one of them (usrmerge), by the name or by its target.
package_of() {
  local lib=$1 real
  real=$(readlink -f "$lib")
  for path in "$lib" "/usr$lib" "${lib#/usr}" "$real" "/usr$real" "${real#/usr}"; do
    if dpkg-query -S "$path" >/dev/null 2>&1; then
      dpkg-query -S "$path" | head -n1 | cut -d: -f1
      return
    fi
  done
  echo "no Debian package holds $lib" >&2
  return 1
}
ldd "$stage/usr/local/bin/dynamo-emu" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' >"$stage/libs"
while read -r lib; do package_of "$lib"; done <"$stage/libs" | sort -u >"$stage/runtime-packages"
rm "$stage/libs"
# SQLite, libcrypto, zlib and the C++ runtime are linked in
# (DYNAMO_STATIC_SERVER, CMakeLists.txt): glibc is all the binary loads.
grep -qx libc6 "$stage/runtime-packages"
if grep -qvx libc6 "$stage/runtime-packages"; then
  echo "docker recipe: the binary loads more than glibc: $(tr '\n' ' ' <"$stage/runtime-packages")" >&2
  exit 1
fi
echo "runtime packages: $(tr '\n' ' ' <"$stage/runtime-packages")"

# ---- 3. smoke test ---------------------------------------------------------

work=$(mktemp -d /tmp/dynamo-emu-docker.XXXXXX)
home="$work/home/dynamodblocal"  # the image's WORKDIR
mkdir -p "$home"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
export PATH="$stage/usr/local/bin:$PATH"
# The image listens on every interface; here loopback is enough.
export DYNAMO_EMU_HOST=127.0.0.1

fail() {
  echo "docker recipe: FAILED: $*" >&2
  for f in "$work"/*.out "$work"/*.err; do
    [[ -e "$f" ]] && { echo "--- $f" >&2; cat "$f" >&2; }
  done
  exit 1
}

# start_java NAME ARGS...: `java ARGS` in the WORKDIR, as the image's
# entrypoint runs; waits for DynamoDB Local's banner and reads the port from it.
start_java() {
  local name=$1
  shift
  (cd "$home" && exec java "$@") >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 100); do
    grep -q '^CorsParams:' "$work/$name.out" && break
    kill -0 "$pid" 2>/dev/null || fail "$name: java $* exited before its banner"
    sleep 0.1
  done
  port=$(sed -n 's/^Port:\t//p' "$work/$name.out")
  [[ -n "$port" ]] || fail "$name: no banner within 10 s"
}

# stop_java NAME: SIGTERM, as docker stop sends; the server must exit 0.
stop_java() {
  local rc=0
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  pid=""
  ((rc == 0)) || fail "$1: exit code $rc after SIGTERM"
}

# ddb OPERATION JSON: one DynamoDB request with bash's /dev/tcp (no client
# needed in the build stage), SigV4-shaped but unsigned, as the server
# accepts without --auth-credentials; prints the whole HTTP response.
ddb() {
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  printf '%s\r\n' "POST / HTTP/1.1" "Host: 127.0.0.1:$port" \
    "Content-Type: application/x-amz-json-1.0" "X-Amz-Target: DynamoDB_20120810.$1" \
    "X-Amz-Date: 20240101T000000Z" \
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDDOCKER/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00" \
    "Content-Length: ${#2}" "Connection: close" "" >&"$fd"
  printf '%s' "$2" >&"$fd"
  timeout 5 cat <&"$fd"
  exec {fd}>&-
}

tab=$'\t'  # the banner's separator
expect_in() {  # FILE-or-TEXT-label TEXT NEEDLE
  grep -qF -- "$3" <<<"$2" || fail "$1: expected '$3' in: $2"
}

table='{"TableName":"Music","BillingMode":"PAY_PER_REQUEST",'
table+='"AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"}],'
table+='"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"}]}'
item='{"TableName":"Music","Item":{"Artist":{"S":"Arvo Part"},"Year":{"N":"1977"}}}'
key='{"TableName":"Music","Key":{"Artist":{"S":"Arvo Part"}}}'

step "java -jar DynamoDBLocal.jar -sharedDb -dbPath ./data (the AWS docs' compose command)"
compose_args=(-jar DynamoDBLocal.jar -sharedDb -dbPath ./data -port 0 -cors '*'
              -delayTransientStatuses -optimizeDbBeforeStartup)
start_java compose "${compose_args[@]}"
banner=$(cat "$work/compose.out")
expect_in banner "$banner" "Initializing DynamoDB Local with the following configuration:"
expect_in banner "$banner" "SharedDb:${tab}true"
expect_in banner "$banner" "CorsParams:${tab}*"
notices=$(cat "$work/compose.err")
expect_in stderr "$notices" "note: -delayTransientStatuses has no effect here"
expect_in stderr "$notices" "note: -optimizeDbBeforeStartup has no effect here"
expect_in stderr "$notices" "note: -jar DynamoDBLocal.jar has no effect here"
expect_in CreateTable "$(ddb CreateTable "$table")" "HTTP/1.1 200 OK"
expect_in PutItem "$(ddb PutItem "$item")" "HTTP/1.1 200 OK"
expect_in ListTables "$(ddb ListTables '{}')" '"TableNames":["Music"]'
if command -v aws >/dev/null 2>&1; then
  listed=$(env AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" \
    aws dynamodb list-tables --endpoint-url "http://127.0.0.1:$port" --output text) ||
    fail "aws dynamodb list-tables"
  expect_in "aws dynamodb list-tables" "$listed" "Music"
fi
dynamo-emu --health-check "http://127.0.0.1:$port/" || fail "--health-check of a live server"
[[ -s "$home/data/shared-local-instance.db" ]] || fail "no shared-local-instance.db under ./data"
stop_java compose
rc=0
dynamo-emu --health-check "http://127.0.0.1:$port/" 2>/dev/null || rc=$?
((rc == 1)) || fail "--health-check of a dead port: exit code $rc, want 1"

step "the same again: the data is still under ./data"
start_java restart "${compose_args[@]}"
expect_in GetItem "$(ddb GetItem "$key")" '"Year":{"N":"1977"}'
stop_java restart

step "java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -sharedDb"
start_java memory -Djava.library.path=./DynamoDBLocal_lib -Xmx256m -jar DynamoDBLocal.jar \
  -inMemory -sharedDb -port 0
expect_in banner "$(cat "$work/memory.out")" "InMemory:${tab}true"
expect_in stderr "$(cat "$work/memory.err")" \
  "note: -Djava.library.path=./DynamoDBLocal_lib has no effect here"
expect_in ListTables "$(ddb ListTables '{}')" '"TableNames":[]'
stop_java memory

step "java -jar DynamoDBLocal.jar -inMemory (the image's usual default), per-credential"
start_java default -jar DynamoDBLocal.jar -inMemory -port 0
expect_in banner "$(cat "$work/default.out")" "SharedDb:${tab}false"
expect_in CreateTable "$(ddb CreateTable "$table")" "HTTP/1.1 200 OK"
stop_java default
[[ -z "$(find "$home" -maxdepth 1 -name '*.db')" ]] || fail "-inMemory wrote a database file"

step "refusals end the process at once"
refused() {  # NEEDLE ARGS...: java ARGS must exit non-zero saying NEEDLE
  local needle=$1 out rc=0
  shift
  out=$(cd "$home" && timeout 10 java "$@" -port 0 2>&1) || rc=$?
  ((rc != 0 && rc != 124)) || fail "java $*: exit code $rc, want a refusal"
  expect_in "java $*" "$out" "$needle"
}
touch "$home/not-a-dir"
refused "not-a-dir" -jar DynamoDBLocal.jar -dbPath ./not-a-dir/data
refused "cannot be set at the same time" -jar DynamoDBLocal.jar -dbPath ./data -inMemory
refused "only DynamoDBLocal.jar runs here" -jar app.jar
refused "unknown option '-noSuchFlag'" -jar DynamoDBLocal.jar -noSuchFlag

step "passed"
