#!/usr/bin/env python3
"""One command that measures dynamo-emu against its peers (issue 16).

    python3 bench/compare.py [--quick] [--targets ...] [--connections 1,16,64] [--seconds 5]

Starts each target on a free port with a fresh data directory -- dynamo-emu
(file store, the default; and --in-memory), dynalite (LevelDB --path; and in
memory) and Amazon's DynamoDB Local (-dbPath; and -inMemory) -- and measures:
exec to the first answered request, idle RSS, setup (two tables, 10,000 items
by BatchWriteItem), then every workload of bench/loadgen at every connection
count: requests/s, p50/p99 latency, errors by type, server CPU, peak RSS.
With --soak (on unless --quick): RSS after loading 1,000,000 items and during
60 s of Query, for dynamo-emu (every target with --soak-all).

Prints one table per target and our ratio to each peer, as markdown, and
writes the raw results as JSON (--json). Exits non-zero when a dynamo-emu run
had an error or a failed check (listed at the end), or when a dynamo-emu target
could not run; a peer's errors are reported, not fatal.

Peers: `npm ci` in bench/peers (dynalite, and DynamoDBLocal.jar inside
amplify-dynamodb-simulator); DynamoDB Local also needs java
(apt-get install default-jre-headless). Absent peers are skipped with a line
saying so. Python standard library only.
"""

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
DYNALITE_CLI = PEERS / "node_modules" / "dynalite" / "cli.js"
DDB_LOCAL_DIR = PEERS / "node_modules" / "amplify-dynamodb-simulator" / "emulator"

WORKLOADS = [
    "PutItem", "GetItem", "Query", "UpdateItem", "HotUpdateItem", "TransactWriteItems2",
    "TransactWriteItems4", "BatchWriteItem", "BatchGetItem", "Scan",
]
EMU_TARGETS = ["dynamo-emu", "dynamo-emu-mem"]
PEER_TARGETS = ["dynalite", "dynalite-mem", "dynamodb-local", "dynamodb-local-mem"]
ALL_TARGETS = EMU_TARGETS + PEER_TARGETS
REFERENCE = "dynamo-emu"  # the target the ratio table compares with each peer
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLL_REQUEST = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
    b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20240101T000000Z\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=BENCH/20240101/us-east-1/dynamodb/"
    b"aws4_request, SignedHeaders=host;x-amz-date, Signature="
    + b"0" * 64 + b"\r\nContent-Length: 2\r\n\r\n{}"
)


def log(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Targets


@dataclass
class Target:
    name: str
    description: str
    version: str
    command: object  # callable(port, data_dir) -> argv
    is_emu: bool
    missing: str = ""  # why it cannot run; empty when it can


def read_version(path, pattern):
    try:
        match = re.search(pattern, path.read_text(errors="replace"))
        return match.group(1) if match else "?"
    except OSError:
        return "?"


def emu_target(name, binary, in_memory):
    def command(port, data_dir):
        store = ["--in-memory"] if in_memory else ["--db-path", data_dir]
        return [str(binary), "--port", str(port), "--log-level", "warn"] + store

    version = "?"
    if binary.exists():
        try:
            out = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
            version = out.stdout.strip() or "?"
        except OSError:
            pass
    missing = "" if binary.exists() else (
        f"{binary} not found (cmake --build build --target dynamo-emu, or --emu-bin)")
    store = "--in-memory" if in_memory else "file store, --db-path (the default)"
    return Target(name, f"dynamo-emu, {store}", version, command, True, missing)


def dynalite_target(name, in_memory):
    def command(port, data_dir):
        store = [] if in_memory else ["--path", data_dir]
        return ["node", str(DYNALITE_CLI), "--port", str(port)] + store

    missing = ""
    if not shutil.which("node"):
        missing = "node not found (apt-get install nodejs npm)"
    elif not DYNALITE_CLI.exists():
        missing = f"not installed (run `npm ci` in {PEERS})"
    version = read_version(DYNALITE_CLI.parent / "package.json", r'"version":\s*"([^"]+)"')
    store = "in memory" if in_memory else "LevelDB, --path"
    return Target(name, f"dynalite {version}, {store}", version, command, False, missing)


def dynamodb_local_target(name, in_memory):
    def command(port, data_dir):
        store = ["-inMemory"] if in_memory else ["-dbPath", data_dir]
        return ["java", f"-Djava.library.path={DDB_LOCAL_DIR / 'DynamoDBLocal_lib'}", "-jar",
                str(DDB_LOCAL_DIR / "DynamoDBLocal.jar"), "-port", str(port), "-sharedDb",
                "-disableTelemetry"] + store

    missing = ""
    if not shutil.which("java"):
        missing = "java not found (apt-get install default-jre-headless)"
    elif not (DDB_LOCAL_DIR / "DynamoDBLocal.jar").exists():
        missing = f"not installed (run `npm ci` in {PEERS})"
    version = read_version(DDB_LOCAL_DIR / "README.txt", r"\((\d+\.\d+\.\d+)\)")
    store = "-inMemory" if in_memory else "SQLite, -dbPath"
    return Target(name, f"DynamoDB Local {version}, {store}", version, command, False, missing)


def make_targets(args):
    emu = Path(args.emu_bin).resolve()
    return {
        "dynamo-emu": emu_target("dynamo-emu", emu, in_memory=False),
        "dynamo-emu-mem": emu_target("dynamo-emu-mem", emu, in_memory=True),
        "dynalite": dynalite_target("dynalite", in_memory=False),
        "dynalite-mem": dynalite_target("dynalite-mem", in_memory=True),
        "dynamodb-local": dynamodb_local_target("dynamodb-local", in_memory=False),
        "dynamodb-local-mem": dynamodb_local_target("dynamodb-local-mem", in_memory=True),
    }


# --------------------------------------------------------------------------
# Processes: start, poll, /proc readings


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answered(port):
    """True when a ListTables request on `port` gets an HTTP 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(POLL_REQUEST)
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def process_tree(pid):
    """pid and its descendants (a wrapper's server child counts)."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*"):
            try:
                pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        i += 1
    return pids


def memory_mb(pid, field_name):
    """VmRSS or VmHWM summed over the process tree, in MB."""
    total = 0
    for p in process_tree(pid):
        try:
            match = re.search(rf"{field_name}:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
            total += int(match.group(1)) if match else 0
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid):
    """utime + stime of the process tree (all threads), in seconds."""
    ticks = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat
        except (OSError, IndexError):
            pass
    return ticks / CLOCK_TICKS


class Server:
    """A target running on a free port with a fresh data directory."""

    def __init__(self, target, workdir):
        self.target = target
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix=f"{target.name}-", dir=workdir)
        self.log_path = Path(workdir) / f"{target.name}-{self.port}.log"
        self.process = None

    def start(self, timeout=120):
        """Starts the server; returns ms from exec to the first answered request."""
        argv = self.target.command(self.port, self.data_dir)
        with open(self.log_path, "wb") as out:
            t0 = time.perf_counter()
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.data_dir)
        while not answered(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}; see {self.log_path}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"no answer in {timeout} s; see {self.log_path}")
            time.sleep(0.0005)
        return (time.perf_counter() - t0) * 1000

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def rss(self):
        return memory_mb(self.process.pid, "VmRSS")

    def peak_rss(self):
        return memory_mb(self.process.pid, "VmHWM")

    def cpu(self):
        return cpu_seconds(self.process.pid)


# --------------------------------------------------------------------------
# loadgen runs


class Loadgen:
    def __init__(self, binary):
        self.binary = binary
        self.seed = int(time.time()) * 1000  # distinct keys for every run

    def start(self, port, workload, **flags):
        """Starts one run; returns the process (its stdout is one JSON line)."""
        self.seed += 1
        argv = [self.binary, "--port", str(port), "--workload", workload, "--seed", str(self.seed)]
        for key, value in flags.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, process):
        """Waits for a run; returns its JSON (with the exit code) or a stand-in on a crash."""
        out, err = process.communicate()
        try:
            result = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = {"ok": 0, "ops_per_s": 0, "errors": {"loadgen_failed": 1},
                      "checks": {}, "pass": False, "stderr": err.strip()[-500:]}
        result["exit_code"] = process.returncode
        return result

    def run(self, port, workload, **flags):
        return self.finish(self.start(port, workload, **flags))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured_run(server, loadgen, workload, connections, args):
    """One workload at one connection count, with the server's CPU and memory."""
    cpu0, client0 = server.cpu(), children_cpu()
    result = loadgen.run(server.port, workload, connections=connections, seconds=args.seconds,
                         warmup=args.warmup, keys=args.keys)
    cpu, client = server.cpu() - cpu0, children_cpu() - client0
    # CPU covers the warm-up too: divide by the time and the requests of both
    seconds = (result.get("seconds") or args.seconds) + result.get("warmup_seconds", 0)
    ok = result.get("ok", 0) + result.get("warmup_ok", 0)
    result.update(
        server_cpu_s=round(cpu, 3),
        server_cpu_cores=round(cpu / seconds, 3),
        server_cpu_us_per_op=round(cpu * 1e6 / ok, 1) if ok else None,
        client_cpu_s=round(client, 3),
        client_cpu_us_per_op=round(client * 1e6 / ok, 1) if ok else None,
        rss_mb=round(server.rss(), 1),
        peak_rss_mb=round(server.peak_rss(), 1),
    )
    return result


# --------------------------------------------------------------------------
# Measuring a target


@dataclass
class Report:
    failures: list = field(default_factory=list)  # dynamo-emu's: fail the command
    peer_issues: list = field(default_factory=list)  # peers': reported only
    run_failures: list = field(default_factory=list)  # (target, workload, conns, errors)
    run_peer_issues: list = field(default_factory=list)

    def problem(self, target, what):
        (self.failures if target.is_emu else self.peer_issues).append(f"{target.name}: {what}")

    def run_problem(self, target, workload, connections, errors):
        runs = self.run_failures if target.is_emu else self.run_peer_issues
        runs.append((target.name, workload, connections, errors))

    def all_failures(self):
        return self.failures + grouped(self.run_failures)

    def all_peer_issues(self):
        return self.peer_issues + grouped(self.run_peer_issues)


def run_errors(result):
    """A run's errors by type, with a failed hot-counter check as one more."""
    errors = dict(result.get("errors") or {})
    if (result.get("checks") or {}).get("hot_counter_pass") is False:
        errors["hot_counter_check"] = 1
    return errors


def describe_errors(result):
    return ", ".join(f"{k} {v}" for k, v in sorted(run_errors(result).items()))


def start_server(target, workdir, report):
    """Starts a fresh server: (server, start-up figures), or (None, {}) when it would not."""
    server = Server(target, workdir)
    try:
        start_ms = server.start()
    except (OSError, RuntimeError) as e:
        report.problem(target, f"did not start: {e}")
        server.stop()
        return None, {}
    time.sleep(0.5)  # idle: after the first answer, nothing more
    return server, {"start_ms": round(start_ms, 1), "idle_rss_mb": round(server.rss(), 1)}


def run_setup(server, loadgen, target, keys, report):
    setup = loadgen.run(server.port, "setup", connections=8, keys=keys)
    setup["rss_mb"] = round(server.rss(), 1)
    if not setup.get("pass"):
        report.problem(target, f"setup failed: {describe_errors(setup) or setup.get('stderr')}")
    return setup


def measure_target(target, loadgen, args, workdir, report):
    """Start-up, setup, then every workload at every connection count."""
    server, result = start_server(target, workdir, report)
    if not server:
        return {"status": "failed", **result}
    try:
        log(f"[{target.name}] first answer after {result['start_ms']:.1f} ms, "
            f"idle RSS {result['idle_rss_mb']:.1f} MB")
        result["setup"] = run_setup(server, loadgen, target, args.keys, report)
        if not result["setup"].get("pass"):
            return {"status": "failed", **result}
        result["runs"] = []
        for workload in args.workloads:
            for connections in args.connections:
                run = measured_run(server, loadgen, workload, connections, args)
                result["runs"].append(run)
                log(f"[{target.name}] {workload} c={connections}: {run['ops_per_s']:,.0f} ops/s "
                    f"p99 {run.get('p99_us', 0)} us {describe_errors(run)}")
                if not run.get("pass"):
                    errors = ", ".join(sorted(run_errors(run))) or "failed"
                    report.run_problem(target, workload, connections, errors)
        result["peak_rss_mb"] = round(server.peak_rss(), 1)
        result["status"] = "ok"
        return result
    finally:
        server.stop()


def soak_target(target, loadgen, args, workdir, report):
    """RSS after loading --soak-keys items and during --soak-seconds of Query."""
    server, result = start_server(target, workdir, report)
    if not server:
        return {"status": "failed"}
    try:
        log(f"[{target.name}] soak: loading {args.soak_keys:,} items")
        result["setup"] = run_setup(server, loadgen, target, args.soak_keys, report)
        result["rss_after_load_mb"] = result["setup"]["rss_mb"]
        process = loadgen.start(server.port, "Query", connections=16, seconds=args.soak_seconds,
                                keys=args.soak_keys)
        samples, t0 = [], time.monotonic()
        for at in (0, args.soak_seconds / 2):
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            samples.append([round(at), round(server.rss(), 1)])
        query = loadgen.finish(process)
        samples.append([round(args.soak_seconds), round(server.rss(), 1)])
        result.update(query=query, rss_samples_mb=samples, peak_rss_mb=round(server.peak_rss(), 1),
                      status="ok")
        if not query.get("pass"):
            report.problem(target, f"soak Query: {describe_errors(query) or 'failed'}")
        log(f"[{target.name}] soak: RSS {samples}")
        return result
    finally:
        server.stop()


# --------------------------------------------------------------------------
# Tables


def md_table(headers, rows, left=(0,)):
    """A markdown table; the columns of `left` (indexes) left-aligned, the others right."""
    align = ["---" if i in left or i - len(headers) in left else "---:"
             for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value, pattern="{:,.0f}"):
    return "-" if value is None else pattern.format(value)


def target_table(name, target, result):
    setup = result.get("setup", {})
    checks = setup.get("checks", {})
    lines = [f"### {name}: {target.description}", "",
             f"First answer {fmt(result.get('start_ms'), '{:.1f}')} ms after exec, "
             f"idle RSS {fmt(result.get('idle_rss_mb'), '{:.1f}')} MB; setup: tables ready in "
             f"{fmt(checks.get('tables_ready_ms'), '{:.0f}')} ms, {fmt(setup.get('keys'))} items "
             f"at {fmt(checks.get('items_per_s'))} items/s; peak RSS "
             f"{fmt(result.get('peak_rss_mb'), '{:.1f}')} MB.", ""]
    rows = []
    for r in result.get("runs", []):
        rows.append([r.get("workload"), r.get("connections"), fmt(r.get("ops_per_s")),
                     fmt(r.get("p50_us")), fmt(r.get("p99_us")),
                     fmt(r.get("server_cpu_us_per_op")), fmt(r.get("server_cpu_cores"), "{:.2f}"),
                     fmt(r.get("client_cpu_us_per_op")), fmt(r.get("peak_rss_mb"), "{:.1f}"),
                     describe_errors(r) or "none"])
    lines.append(md_table(["workload", "conns", "ops/s", "p50 µs", "p99 µs", "server CPU µs/op",
                           "server cores", "loadgen CPU µs/op", "peak RSS MB", "errors"], rows,
                          left=(0, -1)))
    return "\n".join(lines)


def ratio_cell(ours, theirs):
    if not ours or not theirs:
        return "n/a"
    if not theirs.get("ok"):
        return f"n/a ({', '.join(sorted(theirs.get('errors') or {})) or 'no answer'})"
    if not theirs.get("ops_per_s"):
        return "n/a"
    cell = f"{ours['ops_per_s'] / theirs['ops_per_s']:.2f}×"
    return cell + " (peer errors)" if not theirs.get("pass") else cell


def ratio_table(results, peers):
    """ops/s of REFERENCE divided by each peer's, per workload and connection count."""
    def runs(name):
        return {(r["workload"], r["connections"]): r for r in results[name].get("runs", [])}

    ours = runs(REFERENCE)
    rows = []
    for key in ours:
        theirs = [runs(p).get(key) for p in peers]
        rows.append([key[0], key[1], fmt(ours[key].get("ops_per_s"))] +
                    [ratio_cell(ours[key], t) for t in theirs])
    return md_table(["workload", "conns", f"{REFERENCE} ops/s"] + [f"vs {p}" for p in peers],
                    rows)


def grouped(problems):
    """Problems of the same target, workload and error types on one line, with their
    connection counts: "dynalite: TransactWriteItems2 c=1,16: UnknownOperationException"."""
    groups = {}
    for target, workload, connections, errors in problems:
        groups.setdefault((target, workload, errors), []).append(str(connections))
    return [f"{t}: {w} c={','.join(c)}: {e}" for (t, w, e), c in groups.items()]


def startup_table(targets, results):
    rows = []
    for name, result in results.items():
        if result.get("status") == "skipped":
            continue
        setup = result.get("setup", {})
        rows.append([name, targets[name].version, fmt(result.get("start_ms"), "{:.1f}"),
                     fmt(result.get("idle_rss_mb"), "{:.1f}"),
                     fmt(setup.get("checks", {}).get("items_per_s")),
                     fmt(result.get("peak_rss_mb"), "{:.1f}")])
    return md_table(["target", "version", "exec → first answer ms", "idle RSS MB",
                     "setup items/s", "peak RSS MB"], rows, left=(0, 1))


def soak_table(soaks, args):
    rows = []
    for name, s in soaks.items():
        samples = {at: mb for at, mb in s.get("rss_samples_mb", [])}
        query = s.get("query", {})
        rows.append([name, fmt(s.get("setup", {}).get("checks", {}).get("items_per_s")),
                     fmt(s.get("rss_after_load_mb"), "{:.1f}")] +
                    [fmt(samples.get(round(at)), "{:.1f}")
                     for at in (0, args.soak_seconds / 2, args.soak_seconds)] +
                    [fmt(query.get("ops_per_s")), describe_errors(query) or "none"])
    half = round(args.soak_seconds / 2)
    return md_table(["target", "load items/s", f"RSS MB after {args.soak_keys:,} items",
                     "RSS MB Query 0 s", f"{half} s", f"{round(args.soak_seconds)} s",
                     "Query ops/s", "errors"], rows, left=(0, -1))


def print_tables(targets, results, soaks, args):
    ran = [n for n, r in results.items() if r.get("runs")]
    print(f"## dynamo-emu and its peers ({os.cpu_count()} cores; loadgen: "
          f"{args.seconds:g} s per run after {args.warmup:g} s warm-up, "
          f"connections {','.join(map(str, args.connections))}, {args.keys:,} items)\n")
    print(startup_table(targets, results) + "\n")
    for name, result in results.items():
        if result.get("status") == "skipped":
            print(f"Skipped {name}: {result['reason']}.\n")
    for name in ran:
        print(target_table(name, targets[name], results[name]) + "\n")
    peers = [n for n in ran if not targets[n].is_emu]
    if REFERENCE in ran and peers:
        print(f"### {REFERENCE} ops/s ÷ peer ops/s (above 1: we are faster)\n")
        print(ratio_table(results, peers) + "\n")
    if soaks:
        print(f"### Soak: {args.soak_keys:,} items, then {args.soak_seconds:g} s of Query "
              "on 16 connections\n")
        print(soak_table(soaks, args) + "\n")


# --------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="CI smoke test: dynamo-emu targets only (unless --targets), "
                        "connections 1,16, 2 s per run, no warm-up, no soak")
    p.add_argument("--targets", help="comma-separated; default: all (" + ",".join(ALL_TARGETS) + ")")
    p.add_argument("--workloads", help="comma-separated; default: all")
    p.add_argument("--connections", help="comma-separated counts (default 1,16,64)")
    p.add_argument("--seconds", type=float, help="measured seconds per run (default 5)")
    p.add_argument("--warmup", type=float, help="unmeasured seconds before each run (default 1)")
    p.add_argument("--keys", type=int, default=10000, help="items preloaded (default 10000)")
    p.add_argument("--soak", action=argparse.BooleanOptionalAction, default=None,
                   help="the 1,000,000-item and 60 s Query soak (default: on, off with --quick)")
    p.add_argument("--soak-all", action="store_true", help="soak the peers too")
    p.add_argument("--soak-keys", type=int, default=1_000_000)
    p.add_argument("--soak-seconds", type=float, default=60)
    p.add_argument("--emu-bin", default=str(ROOT / "build" / "server" / "dynamo-emu"))
    p.add_argument("--loadgen", default=str(ROOT / "build" / "bench" / "loadgen"))
    p.add_argument("--json", default=str(ROOT / "build" / "bench" / "compare-results.json"),
                   help="where to write the raw results (default build/bench/compare-results.json)")
    args = p.parse_args(argv)
    args.targets = (args.targets.split(",") if args.targets else
                    EMU_TARGETS if args.quick else ALL_TARGETS)
    unknown = [t for t in args.targets if t not in ALL_TARGETS]
    if unknown:
        p.error(f"unknown targets {unknown}; choose from {ALL_TARGETS}")
    args.workloads = args.workloads.split(",") if args.workloads else WORKLOADS
    args.connections = [int(c) for c in (args.connections or ("1,16" if args.quick else
                                                              "1,16,64")).split(",")]
    args.seconds = args.seconds if args.seconds is not None else (2 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    args.soak = args.soak if args.soak is not None else not args.quick
    return args


def run_all(args, targets, report):
    loadgen = Loadgen(str(Path(args.loadgen).resolve()))
    results, soaks = {}, {}
    with tempfile.TemporaryDirectory(prefix="dynamo-bench-") as workdir:
        for name in args.targets:
            target = targets[name]
            if target.missing:
                log(f"skipping {name}: {target.missing}")
                results[name] = {"status": "skipped", "reason": target.missing}
                if target.is_emu:
                    report.failures.append(f"{name}: {target.missing}")
                continue
            results[name] = measure_target(target, loadgen, args, workdir, report)
        for name in args.targets:
            if args.soak and (targets[name].is_emu or args.soak_all) and \
                    results[name].get("status") == "ok":
                soaks[name] = soak_target(targets[name], loadgen, args, workdir, report)
    return results, soaks


def write_json(path, args, targets, results, soaks, report):
    document = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release},
        "options": {k: v for k, v in vars(args).items()},
        "targets": {n: {"description": targets[n].description, "version": targets[n].version,
                        **r, **({"soak": soaks[n]} if n in soaks else {})}
                    for n, r in results.items()},
        "failures": report.all_failures(),
        "peer_issues": report.all_peer_issues(),
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(document, indent=1) + "\n")


def main(argv):
    args = parse_args(argv)
    if not Path(args.loadgen).exists():
        log(f"{args.loadgen} not found: cmake --build build --target loadgen (or --loadgen)")
        return 2
    targets = make_targets(args)
    report = Report()
    results, soaks = run_all(args, targets, report)
    print_tables(targets, results, soaks, args)
    write_json(args.json, args, targets, results, soaks, report)
    log(f"raw results: {args.json}")
    if report.all_peer_issues():
        print("Peers' errors and failed checks (reported, not fatal; counts in the tables):\n")
        print("\n".join(f"- {p}" for p in report.all_peer_issues()) + "\n")
    if report.all_failures():
        print("FAILED (dynamo-emu):\n")
        print("\n".join(f"- {f}" for f in report.all_failures()))
        return 1
    if not any(r.get("runs") for r in results.values()):
        print("FAILED: no target ran")
        return 1
    print("All dynamo-emu checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
