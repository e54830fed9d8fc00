"""The server as a process: persistence, crash safety, namespaces, shutdown, command line."""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

import boto3
import requests
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness


def run_binary(*args, timeout=5):
    """Runs the binary to completion (it must exit by itself) and returns the CompletedProcess."""
    return subprocess.run([harness.BINARY, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class PersistenceTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dynamo-emu-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.servers = []
        self.addCleanup(self._stop_all)

    def _stop_all(self):
        for s in self.servers:
            if s.alive():
                s.kill()

    def start(self, *args):
        s = harness.Server(*args, db_path=self.dir).start()
        self.servers.append(s)
        return s

    # Tables and items written before a clean SIGTERM are there after a restart.
    def test_data_survives_clean_restart(self):
        name = harness.unique_name("persist")
        item = {"pk": {"S": "a"}, "b": {"B": bytes(range(256))}, "n": {"N": "12345678901234567890123456789012345678"}}
        s = self.start()
        ddb = s.client()
        harness.create_table(ddb, name, billing="PROVISIONED")
        ddb.put_item(TableName=name, Item=item)
        created = ddb.describe_table(TableName=name)["Table"]
        other = harness.unique_name("persist-other")
        harness.create_table(ddb, other)
        self.assertEqual(s.stop(), 0, s.stderr_text())

        s = self.start()
        ddb = s.client()
        self.assertEqual(ddb.list_tables()["TableNames"], sorted([name, other]))
        table = ddb.describe_table(TableName=name)["Table"]
        for field in ("TableArn", "TableId", "KeySchema", "CreationDateTime", "ProvisionedThroughput"):
            self.assertEqual(table[field], created[field], field)
        self.assertEqual(ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"], item)
        self.assertIn(name, ddb.list_tables()["TableNames"])
        # A deleted table stays deleted across a restart too.
        ddb.delete_table(TableName=name)
        self.assertEqual(s.stop(), 0)
        s = self.start()
        self.assertNotIn(name, s.client().list_tables()["TableNames"])
        self.assertEqual(s.stop(), 0)

    # An acknowledged PutItem survives kill -9 of the server straight afterwards.
    def test_acknowledged_write_survives_sigkill(self):
        name = harness.unique_name("crash")
        s = self.start()
        ddb = s.client()
        harness.create_table(ddb, name)
        for i in range(20):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
        ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
        self.assertEqual(s.kill(), -signal.SIGKILL)

        s = self.start()
        ddb = s.client()
        self.assertEqual(ddb.list_tables()["TableNames"], [name])
        self.assertNotIn("Item", ddb.get_item(TableName=name, Key={"pk": {"S": "k0"}}))
        for i in range(1, 20):
            got = ddb.get_item(TableName=name, Key={"pk": {"S": f"k{i}"}}, ConsistentRead=True)
            self.assertEqual(got.get("Item"), {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}, i)
        self.assertEqual(s.stop(), 0)

    # White-box companion to the test above: after kill -9 the acknowledged rows are in the
    # SQLite file itself (checked with Python's sqlite3, independent of the server's reload path).
    def test_acknowledged_write_is_on_disk_after_sigkill(self):
        name = harness.unique_name("crashdisk")
        s = self.start()
        ddb = s.client()
        harness.create_table(ddb, name)
        for i in range(20):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}})
        self.assertEqual(s.kill(), -signal.SIGKILL)
        files = [f for f in os.listdir(self.dir) if f.endswith(".db")]
        self.assertEqual(len(files), 1, os.listdir(self.dir))
        db = sqlite3.connect(os.path.join(self.dir, files[0]))
        try:
            (tid,) = db.execute("SELECT id FROM tables WHERE name = ?", (name,)).fetchone()
            (count,) = db.execute("SELECT count(*) FROM items WHERE tid = ?", (tid,)).fetchone()
        finally:
            db.close()
        self.assertEqual(count, 20)

    # --in-memory keeps nothing: a restart starts empty.
    def test_in_memory_keeps_nothing(self):
        s = harness.Server().start()
        self.servers.append(s)
        harness.create_table(s.client(), harness.unique_name("mem"))
        self.assertEqual(s.stop(), 0)
        s = harness.Server().start()
        self.servers.append(s)
        self.assertEqual(s.client().list_tables()["TableNames"], [])
        self.assertEqual(s.stop(), 0)


class NamespaceTest(unittest.TestCase):
    # Like DynamoDB Local, each access key + region pair is its own database.
    def test_access_keys_and_regions_are_isolated(self):
        with harness.Server() as s:
            a = s.client(access_key="AKIDALPHA", region="us-east-1")
            b = s.client(access_key="AKIDBRAVO", region="us-east-1")
            a_west = s.client(access_key="AKIDALPHA", region="eu-west-1")
            name = harness.unique_name("ns")
            harness.create_table(a, name)
            a.put_item(TableName=name, Item={"pk": {"S": "a"}})
            self.assertEqual(a.list_tables()["TableNames"], [name])
            self.assertEqual(b.list_tables()["TableNames"], [])
            self.assertEqual(a_west.list_tables()["TableNames"], [])
            with self.assertRaises(ClientError) as ctx:
                b.get_item(TableName=name, Key={"pk": {"S": "a"}})
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")
            # The same name can exist independently in another namespace.
            harness.create_table(b, name)
            self.assertNotIn("Item", b.get_item(TableName=name, Key={"pk": {"S": "a"}}))
            self.assertIn("Item", a.get_item(TableName=name, Key={"pk": {"S": "a"}}))
            # The ARN carries the region of the namespace.
            harness.create_table(a_west, name)
            self.assertTrue(a_west.describe_table(TableName=name)["Table"]["TableArn"]
                            .startswith("arn:aws:dynamodb:eu-west-1:"))

    # --shared-db: every access key and region sees the same tables.
    def test_shared_db(self):
        with harness.Server("--shared-db") as s:
            a = s.client(access_key="AKIDALPHA", region="us-east-1")
            b = s.client(access_key="AKIDBRAVO", region="ap-southeast-2")
            name = harness.unique_name("shared")
            harness.create_table(a, name)
            a.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "from a"}})
            self.assertEqual(b.list_tables()["TableNames"], [name])
            self.assertEqual(b.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"],
                             {"S": "from a"})

    # Namespaces are persisted separately and still isolated after a restart.
    def test_namespaces_persist(self):
        d = tempfile.mkdtemp(prefix="dynamo-emu-e2e-")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        name = harness.unique_name("nsp")
        with harness.Server(db_path=d) as s:
            harness.create_table(s.client(access_key="AKIDONE"), name)
        with harness.Server(db_path=d) as s:
            self.assertEqual(s.client(access_key="AKIDONE").list_tables()["TableNames"], [name])
            self.assertEqual(s.client(access_key="AKIDTWO").list_tables()["TableNames"], [])


class ShutdownTest(unittest.TestCase):
    # An idle keep-alive connection must not hold up SIGTERM (no 10 s drain wait).
    def test_sigterm_with_idle_keep_alive_connection(self):
        s = harness.Server().start()
        try:
            session = requests.Session()
            self.addCleanup(session.close)
            r = s.post("ListTables", {}, session=session)
            self.assertEqual(r.status_code, 200)
            # Also a raw socket that has connected but sent nothing yet.
            raw = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            self.addCleanup(raw.close)
            time.sleep(0.2)
            start = time.monotonic()
            s.proc.send_signal(signal.SIGTERM)
            code = s.proc.wait(5)
            elapsed = time.monotonic() - start
        finally:
            if s.alive():
                s.kill()
        self.assertEqual(code, 0, s.stderr_text())
        self.assertLess(elapsed, 2.0)

    # SIGINT (Ctrl-C) shuts down cleanly too.
    def test_sigint(self):
        s = harness.Server().start()
        s.proc.send_signal(signal.SIGINT)
        try:
            self.assertEqual(s.proc.wait(5), 0)
        finally:
            s.kill()


HEALTH_CHECK = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ConnectionLimitTest(unittest.TestCase):
    # Past --max-connections, new connections wait in the listen queue and are
    # served as soon as one closes.
    def test_connections_past_the_cap_wait_their_turn(self):
        with harness.Server("--max-connections", "2") as server:
            first = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            second = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            for sock in (first, second):  # both are being served
                sock.sendall(HEALTH_CHECK)
                self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 200"))
            third = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            third.sendall(HEALTH_CHECK)
            third.settimeout(0.5)
            with self.assertRaises(socket.timeout):
                third.recv(4096)
            first.close()
            third.settimeout(5)
            self.assertTrue(third.recv(4096).startswith(b"HTTP/1.1 200"))
            second.close()
            third.close()

    # Regression: with the descriptor limit reached, the accept loop retried at
    # once, logging "accept: Too many open files" at ~20 MB/s and burning a
    # core. It now pauses, logs once a second, and keeps serving.
    def test_out_of_descriptors_does_not_spin(self):
        import resource

        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

        with harness.Server("--max-connections", "1000", preexec_fn=low_limit) as server:
            held = []
            try:
                for _ in range(120):  # more than the server has descriptors for
                    held.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
                time.sleep(0.5)
                cpu_before = process_cpu_seconds(server.proc.pid)
                log_before = server.stderr_text().count("accept:")
                time.sleep(3)
                cpu = process_cpu_seconds(server.proc.pid) - cpu_before
                logged = server.stderr_text().count("accept:") - log_before
                self.assertLess(cpu, 0.5, f"{cpu:.2f} s of CPU in 3 s while out of descriptors")
                self.assertLessEqual(logged, 4, server.stderr_text()[-2000:])
                self.assertGreaterEqual(logged, 1, "the condition is reported")
                # A connection the server did accept is still served.
                held[0].sendall(HEALTH_CHECK)
                self.assertTrue(held[0].recv(4096).startswith(b"HTTP/1.1 200"))
            finally:
                for sock in held:
                    sock.close()
            # With descriptors free again, new clients are served.
            deadline = time.monotonic() + 5
            while True:
                try:
                    r = requests.get(server.endpoint + "/", timeout=2)
                    self.assertEqual(r.status_code, 200)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)


class ManyNamespacesTest(unittest.TestCase):
    # A shared emulator in CI where every job uses its own access key: 5,000
    # namespaces one after another under the common 1,024-descriptor limit.
    # Idle namespaces are closed (and reopened on demand), so descriptors stay
    # bounded and every request works.
    def test_5000_namespaces_under_1024_descriptors(self):
        import resource

        def limit_1024():
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

        data = tempfile.mkdtemp(prefix="dynamo-e2e-ns-")
        try:
            with harness.Server(db_path=data, preexec_fn=limit_1024) as server:
                with requests.Session() as http:
                    def call(key, target, body):
                        r = server.post(target, body, session=http,
                                        headers=harness.fake_auth_headers(access_key=key))
                        self.assertEqual(r.status_code, 200, (key, target, r.content[:300]))
                        return r.json()

                    max_fds = 0
                    for i in range(5000):
                        key = f"NS{i:05d}"
                        if i % 50 == 0:
                            call(key, "CreateTable", {
                                "TableName": "tab", "BillingMode": "PAY_PER_REQUEST",
                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
                            call(key, "PutItem", {"TableName": "tab", "Item": {"pk": {"S": key}}})
                        else:
                            call(key, "ListTables", {})
                        if i % 250 == 0:
                            max_fds = max(max_fds, len(os.listdir(f"/proc/{server.proc.pid}/fd")))
                    self.assertLess(max_fds, 600, "descriptors grow with the namespaces used")
                    # Early namespaces were closed and come back with their data.
                    for i in (0, 50, 2500):
                        key = f"NS{i:05d}"
                        item = call(key, "GetItem", {"TableName": "tab", "Key": {"pk": {"S": key}}})
                        self.assertEqual(item["Item"]["pk"]["S"], key)
        finally:
            shutil.rmtree(data, ignore_errors=True)


class CommandLineTest(unittest.TestCase):
    # A typo in a flag must fail loudly, not be ignored.
    def test_unknown_flag(self):
        r = run_binary("--bogus-flag")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--bogus-flag", r.stderr)
        self.assertIn("unknown option", r.stderr)

    # A flag that needs a value and has none.
    def test_missing_flag_value(self):
        r = run_binary("--port")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("missing value for --port", r.stderr)
        r = run_binary("--port", "99999")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("invalid port '99999'", r.stderr)
        r = run_binary("--cors")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("missing value for --cors", r.stderr)

    # Port in use: non-zero exit, and the message names the port.
    def test_port_in_use(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            port = sock.getsockname()[1]
            r = run_binary("--port", str(port), "--in-memory")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(str(port), r.stderr)
        self.assertIn("Address already in use", r.stderr)

    # A data directory that cannot be created (its parent is a regular file).
    def test_unwritable_db_path(self):
        with tempfile.NamedTemporaryFile() as f:
            r = run_binary("--port", "0", "--db-path", os.path.join(f.name, "data"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f.name, r.stderr)

    # --help prints the usage on stdout and exits 0.
    def test_help(self):
        for flag in ("--help", "-help"):
            r = run_binary(flag)
            self.assertEqual(r.returncode, 0, flag)
            self.assertIn("Usage: dynamo-emu", r.stdout)
            self.assertIn("--in-memory", r.stdout)

    # --version prints the version and exits 0.
    def test_version(self):
        r = run_binary("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^dynamo-emu \d+\.\d+\.\d+\n$")

    # DynamoDB Local's single-dash spellings work as drop-in replacements.
    def test_dynamodb_local_spellings(self):
        s = harness.Server(in_memory=False)
        s.command = lambda: [harness.BINARY, "-port", "0", "-inMemory", "-sharedDb",
                             "-delayTransientStatuses", "-optimizeDbBeforeStartup"]
        s.start()
        try:
            self.assertIn("in memory, shared db", s.stderr_text())
            a = s.client(access_key="AKIDONE")
            b = s.client(access_key="AKIDTWO", region="eu-west-1")
            name = harness.unique_name("dl")
            harness.create_table(a, name)
            self.assertEqual(b.list_tables()["TableNames"], [name])
        finally:
            self.assertEqual(s.stop(), 0)



class RequestLogTest(unittest.TestCase):
    """At --log-level info a line per request: operation, table, status, error, latency, namespace."""

    def requests_logged(self, server, count):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = [l for l in server.stderr_text().splitlines() if "request" in l and "listening" not in l]
            if len(lines) >= count:
                return lines
            time.sleep(0.05)
        self.fail(server.stderr_text())

    def exercise(self, server):
        ddb = server.client(access_key="AKIDLOG", region="eu-west-1")
        name = harness.unique_name("log")
        harness.create_table(ddb, name)
        with self.assertRaises(Exception):
            ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "a"}})
        return name

    def test_text_lines(self):
        with harness.Server() as server:
            name = self.exercise(server)
            created, failed = self.requests_logged(server, 2)[:2]
        self.assertRegex(created, rf"INFO request op=CreateTable table={name} status=200 latency_ms=\d+\.\d{{3}} "
                                  r"ns=AKIDLOG_eu-west-1$")
        self.assertRegex(failed, r"INFO request op=GetItem table=no-such-table status=400 "
                                 r"error=ResourceNotFoundException latency_ms=\d+\.\d{3} ns=AKIDLOG_eu-west-1$")

    def test_json_lines(self):
        with harness.Server("--log-format", "json") as server:
            name = self.exercise(server)
            lines = [json.loads(l) for l in self.requests_logged(server, 2)]
        self.assertEqual({k: lines[0][k] for k in ("level", "message", "operation", "table", "status", "namespace")},
                         {"level": "INFO", "message": "request", "operation": "CreateTable", "table": name,
                          "status": 200, "namespace": "AKIDLOG_eu-west-1"})
        self.assertEqual((lines[1]["status"], lines[1]["error"]), (400, "ResourceNotFoundException"))
        self.assertIsInstance(lines[1]["latency_ms"], float)

    # Above info nothing is logged per request (nor the port: the test picks it).
    def test_off_above_info(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen([harness.BINARY, "--port", str(port), "--in-memory", "--log-level", "warn"],
                                stderr=subprocess.PIPE, text=True)
        try:
            endpoint = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    requests.get(endpoint + "/", timeout=1)
                    break
                except requests.ConnectionError:
                    self.assertLess(time.monotonic(), deadline, "the server did not start")
                    time.sleep(0.05)
            ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="AKIDLOG", aws_secret_access_key="x")
            harness.create_table(ddb, harness.unique_name("quiet"))
            ddb.list_tables()
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, stderr)
        self.assertNotIn("request", stderr)

if __name__ == "__main__":
    unittest.main()
