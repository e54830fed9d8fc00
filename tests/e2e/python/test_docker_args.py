"""The Docker image's command line: DynamoDB Local's arguments through the java shim
(docker/java), its banner and notes, and --health-check (the image's HEALTHCHECK)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import boto3
import requests

try:
    from . import harness
except ImportError:
    import harness

SHIM = os.path.join(harness.REPO, "docker", "java")


def world_executable(path):
    """Whether any user may run path: it and every directory above it are o+x."""
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


class Launched:
    """One server started by `java ARGS` (the shim) or the binary, in a scratch WORKDIR.

    stdout and stderr go to files, so a chatty server never blocks on a pipe."""

    def __init__(self, test, argv, cwd):
        self.out_path = os.path.join(cwd, "..", f"out-{id(self)}.txt")
        self.err_path = os.path.join(cwd, "..", f"err-{id(self)}.txt")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            env = dict(os.environ, DYNAMO_EMU_HOST="127.0.0.1")
            self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err)
        test.addCleanup(self.kill)
        self.port = None

    def stdout(self):
        with open(self.out_path, encoding="utf-8") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, encoding="utf-8") as f:
            return f.read()

    def wait_for_banner(self, timeout=10):
        """Waits for DynamoDB Local's banner, as testcontainers does ("CorsParams"); reads the port."""
        deadline = time.monotonic() + timeout
        while "CorsParams:" not in self.stdout():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no banner (exit {self.proc.poll()}):\n{self.stdout()}{self.stderr()}")
            time.sleep(0.05)
        banner = dict(line.split("\t", 1) for line in self.stdout().splitlines() if "\t" in line)
        self.port = int(banner["Port:"])
        return banner

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class DockerArgsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BINARY, os.X_OK):
            raise unittest.SkipTest(f"server binary not found: {harness.BINARY}")

    def setUp(self):
        # bin/java (the shim) next to bin/dynamo-emu, as in the image's /usr/local/bin.
        self.dir = tempfile.mkdtemp(prefix="dynamo-emu-docker-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.bin = os.path.join(self.dir, "bin")
        os.mkdir(self.bin)
        shutil.copy(SHIM, os.path.join(self.bin, "java"))
        os.symlink(harness.BINARY, os.path.join(self.bin, "dynamo-emu"))
        self.home = os.path.join(self.dir, "home")
        os.mkdir(self.home)

    def java(self, *args):
        return Launched(self, [os.path.join(self.bin, "java"), *args, "-port", "0"], self.home)

    def run_java(self, *args):
        return subprocess.run([os.path.join(self.bin, "java"), *args], cwd=self.home, capture_output=True,
                              text=True, timeout=10, stdin=subprocess.DEVNULL)

    def client(self, port):
        return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name=harness.REGION,
                            aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY)

    # The AWS docs' compose command: accepted, banner on stdout, one note per no-op flag, data under ./data.
    def test_aws_docs_compose_command(self):
        s = self.java("-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data", "-cors", "*",
                      "-delayTransientStatuses", "-optimizeDbBeforeStartup", "-disableTelemetry")
        banner = s.wait_for_banner()
        self.assertTrue(s.stdout().startswith("Initializing DynamoDB Local with the following configuration:\n"))
        self.assertEqual({k: banner[k] for k in ("InMemory:", "DbPath:", "SharedDb:", "CorsParams:")},
                         {"InMemory:": "false", "DbPath:": "./data", "SharedDb:": "true", "CorsParams:": "*"})
        ddb = self.client(s.port)
        name = harness.unique_name("docker")
        harness.create_table(ddb, name)
        self.assertEqual(ddb.list_tables()["TableNames"], [name])
        self.assertTrue(os.path.isfile(os.path.join(self.home, "data", "shared-local-instance.db")))
        self.assertEqual(s.stop(), 0, s.stderr())
        notes = [l for l in s.stderr().splitlines() if "note:" in l]
        self.assertEqual(len(notes), 4, notes)
        for flag in ("-jar DynamoDBLocal.jar", "-delayTransientStatuses", "-optimizeDbBeforeStartup",
                     "-disableTelemetry"):
            self.assertTrue(any(f"note: {flag} has no effect here" in l for l in notes), (flag, notes))
        self.assertIn("tables and indexes are ACTIVE at once", s.stderr())

    # testcontainers' entrypoint override: JVM options before -jar are dropped with a note each.
    def test_jvm_options_dropped(self):
        s = self.java("-Djava.library.path=./DynamoDBLocal_lib", "-Xmx256m", "-XX:+UseG1GC",
                      "-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb")
        banner = s.wait_for_banner()
        self.assertEqual((banner["InMemory:"], banner["DbPath:"]), ("true", "null"))
        self.assertEqual(self.client(s.port).list_tables()["TableNames"], [])
        self.assertEqual(s.stop(), 0)
        for option in ("-Djava.library.path=./DynamoDBLocal_lib", "-Xmx256m", "-XX:+UseG1GC"):
            self.assertIn(f"note: {option} has no effect here: there is no JVM", s.stderr())
        self.assertEqual(os.listdir(self.home), [])

    # Without -dbPath DynamoDB Local keeps its files in the current directory, and allows CORS from anywhere.
    def test_local_defaults(self):
        s = self.java("-jar", "/opt/x/DynamoDBLocal.jar")
        banner = s.wait_for_banner()
        self.assertEqual((banner["DbPath:"], banner["SharedDb:"], banner["CorsParams:"]), (".", "false", "*"))
        harness.create_table(self.client(s.port), harness.unique_name("cwd"))
        r = requests.post(f"http://127.0.0.1:{s.port}/", data="{}", timeout=5, headers={
            "Origin": "http://app.example", "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables", **harness.fake_auth_headers()})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        self.assertEqual(s.stop(), 0)
        self.assertEqual(os.listdir(self.home), [f"{harness.ACCESS_KEY}_{harness.REGION}.db"])

    # The binary itself takes -jar too (compatibility without the shim); without it, no banner and no JVM options.
    def test_binary_compat_only_when_asked(self):
        s = Launched(self, [harness.BINARY, "-jar", "DynamoDBLocal.jar", "-inMemory", "-port", "0"], self.home)
        s.wait_for_banner()
        self.assertEqual(s.stop(), 0)
        s = Launched(self, [harness.BINARY, "-inMemory", "-port", "0"], self.home)
        deadline = time.monotonic() + 10
        while "listening on" not in s.stderr():
            self.assertLess(time.monotonic(), deadline, s.stderr())
            time.sleep(0.05)
        self.assertEqual(s.stop(), 0)
        self.assertEqual(s.stdout(), "")
        r = subprocess.run([harness.BINARY, "-Djava.library.path=.", "--in-memory"], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option '-Djava.library.path=.'", r.stderr)

    # What DynamoDB Local refuses, or what is no DynamoDB Local at all, still ends the process at once.
    def test_refusals(self):
        rows = [
            (("-jar", "DynamoDBLocal.jar", "-noSuchFlag"), "unknown option '-noSuchFlag' (see --help)"),
            (("-jar", "DynamoDBLocal.jar", "-dbPath", "./data", "-inMemory"),
             "-dbPath (--db-path) and -inMemory (--in-memory) cannot be set at the same time"),
            (("-jar", "app.jar"), "-jar app.jar: only DynamoDBLocal.jar runs here"),
            (("-jar",), "missing value for -jar"),
            (("-jar", "DynamoDBLocal.jar", "-port", "x"), "invalid port 'x'"),
        ]
        for args, message in rows:
            r = self.run_java(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(message, r.stderr, args)
            self.assertEqual(r.stdout, "", args)

    # A -dbPath that cannot be a directory fails fast (DynamoDB Local's requests hang instead).
    def test_unusable_db_path_fails_fast(self):
        open(os.path.join(self.home, "file"), "w").close()
        r = self.run_java("-jar", "DynamoDBLocal.jar", "-dbPath", "./file/data", "-port", "0")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("./file/data", r.stderr)

    # The volume trap: a root-owned directory the server's user (uid 1000 in the image) cannot write
    # gets a hint; as root, the server runs as nobody to meet it.
    def test_unwritable_db_path_hint(self):
        user = {}
        if os.geteuid() == 0:
            if not world_executable(harness.BINARY):
                self.skipTest(f"nobody cannot run {harness.BINARY}")
            if any(v in os.environ for v in ("ASAN_OPTIONS", "TSAN_OPTIONS")):
                self.skipTest("nobody cannot write the sanitizer logs")
            user = {"user": 65534, "group": 65534, "extra_groups": []}
            os.chmod(self.dir, 0o755)
        os.mkdir(os.path.join(self.home, "data"), 0o555)
        r = subprocess.run([os.path.join(self.bin, "java"), "-jar", "DynamoDBLocal.jar", "-dbPath", "./data",
                            "-port", "0"], cwd=self.home, capture_output=True, text=True, timeout=10, **user)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("data directory ./data is not writable", r.stderr)
        self.assertIn(f"./data must be writable by uid {user.get('user', os.geteuid())}, the server's user",
                      r.stderr)

    # --health-check: exit 0 on a 2xx, 1 (never Docker's reserved 2) on anything else; no server started.
    def test_health_check(self):
        with harness.Server() as server:
            r = subprocess.run([harness.BINARY, "--health-check", server.endpoint + "/"], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, f"{server.endpoint}/: HTTP 200\n")
            # Any other path is not DynamoDB's health answer.
            r = subprocess.run([harness.BINARY, "--health-check", server.endpoint + "/nope"],
                               capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("HTTP 404", r.stderr)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            dead = sock.getsockname()[1]  # bound, not listening: refused
            r = subprocess.run([harness.BINARY, "--health-check", f"http://127.0.0.1:{dead}/"],
                               capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Connection refused", r.stderr)
        for url in ("ftp://127.0.0.1/", "127.0.0.1:8000"):
            r = subprocess.run([harness.BINARY, "--health-check", url], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 1, url)
            self.assertIn("not an http://host[:port]/path URL", r.stderr)

    # A server that accepts but never answers: unhealthy after the 3 s timeout, not a hang.
    def test_health_check_times_out(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            started = time.monotonic()
            r = subprocess.run([harness.BINARY, "--health-check", f"http://127.0.0.1:{sock.getsockname()[1]}/"],
                               capture_output=True, text=True, timeout=10)
            elapsed = time.monotonic() - started
        self.assertEqual(r.returncode, 1)
        self.assertIn("no answer within 3 s", r.stderr)
        self.assertLess(elapsed, 6)


if __name__ == "__main__":
    unittest.main()
