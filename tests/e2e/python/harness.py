"""Shared helpers for the dynamo-emu end-to-end tests.

Starts the real server binary as a subprocess on an ephemeral port, reads the
port from its "listening on 127.0.0.1:<port>" stderr line, and hands out
boto3 clients and raw-HTTP helpers pointed at it.

The binary is $DYNAMO_EMU_BIN, default <repo>/build/server/dynamo-emu.
"""

import atexit
import itertools
import json
import os
import re
import signal
import subprocess
import threading
import time
import unittest
import uuid

import boto3
import botocore.config
import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BINARY = os.environ.get("DYNAMO_EMU_BIN", os.path.join(REPO, "build", "server", "dynamo-emu"))
AWS_CLI = "/usr/bin/aws"

ACCESS_KEY = "AKIDE2ETEST"
SECRET_KEY = "e2e-secret"
REGION = "us-east-1"

_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
_counter = itertools.count()
_started = []  # every Server started by this process, for the atexit safety net


@atexit.register
def _kill_leftover_servers():
    """A test that dies half-way must not leave a server running after the suite."""
    for server in _started:
        if server.proc is not None and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def unique_name(prefix="t"):
    """A table name unique to this process run: [a-zA-Z0-9_.-], 3..255 chars."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}-{uuid.uuid4().hex[:8]}"


class Server:
    """One dynamo-emu process. Use start()/stop(), or as a context manager."""

    def __init__(self, *args, in_memory=True, db_path=None, start_timeout=10.0, preexec_fn=None):
        self.extra_args = list(args)
        self.preexec_fn = preexec_fn  # e.g. lowering a resource limit for the server only
        self.in_memory = in_memory and db_path is None
        self.db_path = db_path
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.stderr_lines = []
        self._lines_cv = threading.Condition()
        self._reader = None

    # ---- lifecycle ----

    def command(self):
        cmd = [BINARY, "--port", "0"]
        if self.db_path is not None:
            cmd += ["--db-path", self.db_path]
        elif self.in_memory:
            cmd.append("--in-memory")
        return cmd + self.extra_args

    def start(self):
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"server binary not found: {BINARY}")
        self.stderr_lines = []
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=self.preexec_fn,
        )
        _started.append(self)
        # Drain stderr for the whole life of the process so a chatty log can
        # never fill the pipe and block the server.
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.start_timeout
        with self._lines_cv:
            while True:
                for line in self.stderr_lines:
                    m = _LISTENING.search(line)
                    if m:
                        self.port = int(m.group(1))
                        return self
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(
                        f"server exited with {self.proc.returncode} before listening:\n"
                        + "".join(self.stderr_lines)
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    self.proc.kill()
                    self.proc.wait()
                    raise RuntimeError(
                        "server did not report its port in time:\n" + "".join(self.stderr_lines)
                    )
                self._lines_cv.wait(min(left, 0.1))

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            with self._lines_cv:
                self.stderr_lines.append(raw.decode("utf-8", "replace"))
                self._lines_cv.notify_all()
        with self._lines_cv:
            self._lines_cv.notify_all()

    def stop(self, timeout=10.0):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        self._join_reader()
        return self.proc.returncode

    def kill(self):
        """SIGKILL (a crash) and wait; returns the exit code."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._join_reader()
        return self.proc.returncode

    def _join_reader(self):
        if self._reader is not None:
            self._reader.join(5)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        with self._lines_cv:
            return "".join(self.stderr_lines)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- clients ----

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def _session(self, access_key, region):
        return boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=SECRET_KEY,
            region_name=region,
        )

    def client(self, access_key=ACCESS_KEY, region=REGION, retry_mode="legacy", max_attempts=3):
        config = botocore.config.Config(
            retries={"mode": retry_mode, "max_attempts": max_attempts},
            connect_timeout=5,
            read_timeout=30,
        )
        return self._session(access_key, region).client(
            "dynamodb", endpoint_url=self.endpoint, config=config
        )

    def resource(self, access_key=ACCESS_KEY, region=REGION):
        return self._session(access_key, region).resource("dynamodb", endpoint_url=self.endpoint)

    # ---- raw HTTP ----

    def post(self, target, body, headers=None, auth=True, content_type="application/x-amz-json-1.0",
             session=None):
        """POSTs a raw body (str/bytes/dict) with a syntactically valid, unsigned SigV4 header."""
        h = {}
        if content_type is not None:
            h["Content-Type"] = content_type
        if target is not None:
            h["X-Amz-Target"] = target if "." in target else "DynamoDB_20120810." + target
        if auth:
            h.update(fake_auth_headers())
        if headers:
            h.update(headers)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        return (session or requests).post(self.endpoint + "/", data=body, headers=h, timeout=30)


def fake_auth_headers(access_key=ACCESS_KEY, region=REGION):
    return {
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={access_key}/20240101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc"
        ),
        "X-Amz-Date": "20240101T000000Z",
    }


def cli_env(access_key=ACCESS_KEY, region=REGION):
    """Environment for /usr/bin/aws: static credentials, no user config files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_DEFAULT_REGION=region,
        AWS_CONFIG_FILE="/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
    )
    return env


def create_table(client, name, hash_key=("pk", "S"), range_key=None, billing="PAY_PER_REQUEST"):
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    kwargs = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, BillingMode=billing)
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    return client.create_table(**kwargs)


class ServerTestCase(unittest.TestCase):
    """One in-memory server per test class."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(*cls.server_args).start()
        cls.ddb = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
        finally:
            super().tearDownClass()
        assert code == 0, f"server exited with {code}:\n{cls.server.stderr_text()}"

    def assertServerAlive(self):
        self.assertTrue(self.server.alive(), self.server.stderr_text())
        r = requests.get(self.server.endpoint + "/", timeout=10)
        self.assertEqual(r.status_code, 200)
