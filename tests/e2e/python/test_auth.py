"""--auth-credentials: SigV4 verified as DynamoDB does, through boto3, the AWS
CLI and raw HTTP signed by botocore's own signer."""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

import boto3
import botocore.config
import requests
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

CREDENTIALS = """\
# two profiles: every key pair in the file is accepted
[default]
aws_access_key_id = AKIDAUTHDEFAULT
aws_secret_access_key = default/secret+key

[ci]
aws_access_key_id = AKIDAUTHCI
aws_secret_access_key = ci-secret
region = eu-west-1

[temporary]
aws_access_key_id = ASIAAUTHTEMP
aws_secret_access_key = temp-secret
aws_session_token = the-session-token
"""

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."


def signed_post(endpoint, body, access_key, secret, when, region="us-east-1",
                target="DynamoDB_20120810.ListTables", service="dynamodb"):
    """A request signed by botocore's SigV4 signer at time `when` (not now)."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target})
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    req.context["timestamp"] = stamp
    req.headers["X-Amz-Date"] = stamp
    signer = SigV4Auth(Credentials(access_key, secret), service, region)
    canonical = signer.canonical_request(req)
    signature = signer.signature(signer.string_to_sign(req, canonical), req)
    signed = signer.signed_headers(signer.headers_to_sign(req))
    req.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{stamp[:8]}/{region}/{service}/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}")
    return requests.post(endpoint + "/", data=body, headers=dict(req.headers), timeout=30)


class AuthServerTestCase(unittest.TestCase):
    """One server per class with --auth-credentials pointing at CREDENTIALS."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="dynamo-emu-auth-")
        cls.credentials_file = os.path.join(cls.dir, "credentials")
        with open(cls.credentials_file, "w") as f:
            f.write(CREDENTIALS)
        cls.server = harness.Server("--auth-credentials", cls.credentials_file).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, cls.server.stderr_text()


class AuthTest(AuthServerTestCase):

    def client(self, key, secret, token=None, region="us-east-1", **config):
        return boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
            region_name=region,
        ).client("dynamodb", endpoint_url=self.server.endpoint, config=botocore.config.Config(
            retries={"mode": "standard", "max_attempts": 1}, **config))

    def assertRefused(self, call, code, message):
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        self.assertEqual(err["Error"]["Message"], message)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)

    # Every profile's key pair works, and each key is its own namespace.
    def test_valid_credentials_of_every_profile(self):
        default = self.client("AKIDAUTHDEFAULT", "default/secret+key")
        ci = self.client("AKIDAUTHCI", "ci-secret")
        name = harness.unique_name("auth")
        harness.create_table(default, name)
        default.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
        self.assertEqual(default.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"],
                         {"N": "1"})
        self.assertNotIn(name, ci.list_tables()["TableNames"])

    # A user points boto3 at the same file the server reads, by profile name.
    def test_boto3_profile_from_the_same_file(self):
        old = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = self.credentials_file
        try:
            session = boto3.session.Session(profile_name="ci", region_name="eu-west-1")
            client = session.client("dynamodb", endpoint_url=self.server.endpoint)
            self.assertIn("TableNames", client.list_tables())
        finally:
            if old is None:
                del os.environ["AWS_SHARED_CREDENTIALS_FILE"]
            else:
                os.environ["AWS_SHARED_CREDENTIALS_FILE"] = old

    # Temporary credentials: the session token of the profile must come with its key.
    def test_session_token(self):
        good = self.client("ASIAAUTHTEMP", "temp-secret", token="the-session-token")
        self.assertIn("TableNames", good.list_tables())
        bad = self.client("ASIAAUTHTEMP", "temp-secret", token="another-token")
        self.assertRefused(bad.list_tables, "UnrecognizedClientException",
                           "The security token included in the request is invalid")

    # A known key signed with the wrong secret: InvalidSignatureException.
    def test_wrong_secret(self):
        c = self.client("AKIDAUTHDEFAULT", "not-the-secret")
        self.assertRefused(c.list_tables, "InvalidSignatureException", SIGNATURE_MISMATCH)

    # A key in no profile: UnrecognizedClientException.
    def test_unknown_key(self):
        c = self.client("AKIDNOBODY", "whatever")
        self.assertRefused(c.list_tables, "UnrecognizedClientException", INVALID_TOKEN)

    # An unsigned request (botocore UNSIGNED): MissingAuthenticationTokenException.
    def test_unsigned_request(self):
        c = boto3.session.Session(region_name="us-east-1").client(
            "dynamodb", endpoint_url=self.server.endpoint,
            config=botocore.config.Config(signature_version=UNSIGNED,
                                          retries={"mode": "standard", "max_attempts": 1}))
        self.assertRefused(c.list_tables, "MissingAuthenticationTokenException",
                           "Request is missing Authentication Token")

    # The body changed after signing: the payload hash no longer matches.
    def test_tampered_body(self):
        c = self.client("AKIDAUTHDEFAULT", "default/secret+key")

        def tamper(request, **_):
            request.body = b'{"Limit": 2}'
            request.headers["Content-Length"] = str(len(request.body))

        c.meta.events.register("before-send.dynamodb.ListTables", tamper)
        self.assertRefused(lambda: c.list_tables(Limit=1), "InvalidSignatureException",
                           SIGNATURE_MISMATCH)

    # Signed 20 minutes ago: "Signature expired", with the server's window in the message.
    def test_expired_date(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        r = signed_post(self.server.endpoint, b"{}", "AKIDAUTHDEFAULT", "default/secret+key",
                        now - datetime.timedelta(minutes=20))
        self.assertEqual(r.status_code, 400)
        body = r.json()
        self.assertEqual(body["__type"], "com.amazon.coral.service#InvalidSignatureException")
        self.assertRegex(body["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                          r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$")

    # Signed 20 minutes ahead: "Signature not yet current".
    def test_future_date(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        r = signed_post(self.server.endpoint, b"{}", "AKIDAUTHDEFAULT", "default/secret+key",
                        now + datetime.timedelta(minutes=20))
        self.assertEqual(r.status_code, 400)
        self.assertRegex(r.json()["message"], r"^Signature not yet current: \d{8}T\d{6}Z is still "
                                              r"later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$")

    # Within the window (10 minutes off) the request is accepted.
    def test_small_skew_is_accepted(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        r = signed_post(self.server.endpoint, b"{}", "AKIDAUTHCI", "ci-secret",
                        now - datetime.timedelta(minutes=10))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("TableNames", r.json())

    # The scope names another service: DynamoDB lists what is wrong with it.
    def test_wrong_service_in_scope(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        r = signed_post(self.server.endpoint, b"{}", "AKIDAUTHCI", "ci-secret", now,
                        service="dynamo")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json(), {
            "__type": "com.amazon.coral.service#InvalidSignatureException",
            "message": "Credential should be scoped to correct service: 'dynamodb'. "})

    # The health check answers without credentials, as DynamoDB's does.
    def test_health_check_needs_no_signature(self):
        r = requests.get(self.server.endpoint + "/", timeout=10)
        self.assertEqual(r.status_code, 200)


class TamperingProxy:
    """A TCP proxy in front of the server that replaces bytes in each request
    body on the way (a man in the middle), then relays both directions."""

    def __init__(self, upstream_port, old, new):
        self.upstream_port, self.old, self.new = upstream_port, old, new
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return conn.close()
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
        while len(body) < length:
            body += conn.recv(65536)
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        upstream.sendall(head + b"\r\n\r\n" + body.replace(self.old, self.new))

        def pipe(src, dst):
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)


@unittest.skipUnless(os.access(harness.AWS_CLI, os.X_OK), "AWS CLI v2 not installed")
class AuthCliTest(AuthServerTestCase):
    """The AWS CLI against a server with --auth-credentials."""


    def aws(self, *args, endpoint=None, prefix=(), **env_vars):
        env = {k: v for k, v in harness.cli_env().items()
               if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        env.update(env_vars)
        return subprocess.run(
            [*prefix, harness.AWS_CLI, "dynamodb", *args, "--endpoint-url",
             endpoint or self.server.endpoint, "--output", "json"],
            env=env, capture_output=True, text=True, timeout=60)

    def assertCliRefused(self, r, code, message):
        # The CLI may insert "(reached max retries: 0)" before the colon.
        self.assertEqual(r.returncode, 254, r.stderr)
        self.assertRegex(r.stderr, rf"An error occurred \({code}\) when calling the "
                                   r"\w+ operation(?: \(reached max retries: \d+\))?: ")
        self.assertTrue(r.stderr.strip().endswith(message), r.stderr)

    # A profile of the file the server reads, selected as users do.
    def test_valid_profile(self):
        ok = self.aws("list-tables", AWS_SHARED_CREDENTIALS_FILE=self.credentials_file,
                      AWS_PROFILE="ci")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("TableNames", json.loads(ok.stdout))

    def test_wrong_secret(self):
        self.assertCliRefused(
            self.aws("list-tables", AWS_ACCESS_KEY_ID="AKIDAUTHCI", AWS_SECRET_ACCESS_KEY="wrong"),
            "InvalidSignatureException", SIGNATURE_MISMATCH)

    def test_unknown_key(self):
        self.assertCliRefused(
            self.aws("list-tables", AWS_ACCESS_KEY_ID="AKIDNOBODY", AWS_SECRET_ACCESS_KEY="x"),
            "UnrecognizedClientException", INVALID_TOKEN)

    # The CLI's clock 20 minutes slow (faketime): the signature has expired.
    @unittest.skipUnless(shutil.which("faketime"), "faketime not installed")
    def test_expired_date(self):
        r = self.aws("list-tables", prefix=("faketime", "-f", "-20m"),
                     AWS_ACCESS_KEY_ID="AKIDAUTHCI", AWS_SECRET_ACCESS_KEY="ci-secret")
        self.assertEqual(r.returncode, 254, r.stderr)
        self.assertRegex(r.stderr, r"An error occurred \(InvalidSignatureException\) when calling "
                                   r"the ListTables operation(?: \(reached max retries: \d+\))?: Signature expired: \d{8}T\d{6}Z "
                                   r"is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)")

    # A proxy changes the table name in the body after the CLI signed it.
    def test_tampered_body(self):
        creds = dict(AWS_ACCESS_KEY_ID="AKIDAUTHCI", AWS_SECRET_ACCESS_KEY="ci-secret")
        honest = TamperingProxy(self.server.port, b"", b"")
        tampering = TamperingProxy(self.server.port, b"table-abcd", b"table-abce")
        self.addCleanup(honest.close)
        self.addCleanup(tampering.close)
        # Through a proxy that changes nothing the signature holds.
        self.assertCliRefused(
            self.aws("describe-table", "--table-name", "table-abcd",
                     endpoint=f"http://127.0.0.1:{honest.port}", **creds),
            "ResourceNotFoundException", "Requested resource not found: Table: table-abcd not found")
        self.assertCliRefused(
            self.aws("describe-table", "--table-name", "table-abcd",
                     endpoint=f"http://127.0.0.1:{tampering.port}", **creds),
            "InvalidSignatureException", SIGNATURE_MISMATCH)


class AuthStartupTest(unittest.TestCase):
    # A missing or empty credentials file stops the server at startup with a clear message.
    def test_bad_credentials_file_is_refused_at_startup(self):
        if not os.access(harness.BINARY, os.X_OK):
            self.skipTest("server binary not built")
        with tempfile.TemporaryDirectory() as d:
            empty = os.path.join(d, "empty")
            open(empty, "w").close()
            cases = [
                (os.path.join(d, "missing"), f"cannot read credentials file '{d}/missing'"),
                (empty, f"{empty}: no profile has both aws_access_key_id and "
                        "aws_secret_access_key"),
            ]
            for path, message in cases:
                r = subprocess.run([harness.BINARY, "--port", "0", "--in-memory",
                                    "--auth-credentials", path],
                                   capture_output=True, text=True, timeout=30)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(message, r.stderr)


if __name__ == "__main__":
    unittest.main()
