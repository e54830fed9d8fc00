#!/usr/bin/env bash
# Time from exec to the first answered request, and idle RSS, over 20 starts.
set -euo pipefail
bin=${DYNAMO_EMU_BIN:-$(dirname "$0")/../build/server/dynamo-emu}
python3 - "$bin" <<'PY'
import os, re, socket, subprocess, sys, tempfile, time, statistics
binary = sys.argv[1]
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
req = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
       b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20240101T000000Z\r\n"
       b"Authorization: AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n"
       b"Content-Length: 2\r\n\r\n{}")
for mode in (["--in-memory"], ["--db-path", tempfile.mkdtemp()]):
    times, rss = [], []
    for _ in range(20):
        port = free_port()
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "--port", str(port), "--log-level", "off"] + mode)
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=1)
                s.sendall(req)
                if s.recv(4096).startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                time.sleep(0.0002)
        times.append((time.perf_counter() - t0) * 1000)
        s.close()
        time.sleep(0.2)
        with open(f"/proc/{p.pid}/status") as f:
            rss.append(int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024)
        p.terminate(); p.wait()
    print(f"{' '.join(mode[:1])}: exec->first answer median {statistics.median(times):.2f} ms "
          f"(min {min(times):.2f}), idle RSS after one request median {statistics.median(rss):.1f} MB")
PY
