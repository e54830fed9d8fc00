"""HTTP compression: gzip/deflate request bodies (Content-Encoding), as SDKs with request
compression send them, and compressed responses for clients that send Accept-Encoding."""

import gzip
import http.client
import json
import os
import shutil
import tempfile
import unittest
import zlib

import boto3
import botocore.config
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

INTERNAL = "com.amazonaws.dynamodb.v20120810#InternalServerError"
TOO_LARGE = {
    "__type": "com.amazon.coral.service#RequestEntityTooLargeException",
    "message": "Request payload size exceeds the limit of 16777216 bytes",
}


def compressing_client(endpoint, access_key=harness.ACCESS_KEY, secret=harness.SECRET_KEY,
                       **config):
    """boto3 with request compression on for every operation, and what it sent.

    DynamoDB's service model lacks the @requestCompression trait, so botocore never
    compresses its requests; as ScyllaDB's test_compressed_request.py does, give every
    operation the trait in memory and compress from 1 byte up."""
    client = boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret, region_name=harness.REGION,
    ).client("dynamodb", endpoint_url=endpoint, config=botocore.config.Config(
        request_min_compression_size_bytes=1, **config))
    for op in client.meta.service_model._service_description["operations"].values():
        op["requestcompression"] = {"encodings": ["gzip"]}
    sent = []

    def record(request, **_):
        encoding = request.headers.get("Content-Encoding")
        if isinstance(encoding, bytes):
            encoding = encoding.decode()
        sent.append((encoding, bytes(request.body)))

    client.meta.events.register("before-send.dynamodb", record)
    return client, sent


def raw_post(server, target, body, headers=None):
    """(status, headers, body bytes exactly as sent): http.client decodes nothing and
    sends Accept-Encoding: identity unless headers name one."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    h = {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "DynamoDB_20120810." + target, **harness.fake_auth_headers()}
    h.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


class CompressedRequestTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = harness.unique_name("gzreq")
        harness.create_table(cls.ddb, cls.table)

    def tearDown(self):
        self.assertServerAlive()

    def get(self, pk):
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}},
                                 ConsistentRead=True).get("Item")

    def assertRefused(self, status, headers, body, code, expected):
        self.assertEqual(status, code, body[:300])
        self.assertEqual(headers["x-amz-crc32"], str(zlib.crc32(body)))
        self.assertIsNone(headers.get("Content-Encoding"))
        self.assertEqual(json.loads(body), expected)

    # The "done": boto3 with request compression on puts and gets items,
    # and what it sent really was gzip.
    def test_boto3_with_request_compression(self):
        client, sent = compressing_client(self.server.endpoint)
        big = "\u00e9" * 100000
        client.put_item(TableName=self.table, Item={"pk": {"S": "sdk"}, "big": {"S": big}})
        got = client.get_item(TableName=self.table, Key={"pk": {"S": "sdk"}}, ConsistentRead=True)
        self.assertEqual(got["Item"], {"pk": {"S": "sdk"}, "big": {"S": big}})
        self.assertEqual(got["ResponseMetadata"]["RetryAttempts"], 0)
        self.assertEqual(self.get("sdk")["big"]["S"], big)
        self.assertEqual(len(sent), 2)
        for encoding, body in sent:
            self.assertEqual(encoding, "gzip")
            self.assertEqual(body[:2], b"\x1f\x8b")
            self.assertEqual(json.loads(gzip.decompress(body))["TableName"], self.table)
        self.assertLess(len(sent[0][1]), 10000)  # 200 KB of UTF-8 compressed

    # deflate (the zlib format) works as on DynamoDB, and so does gzip in several members.
    def test_deflate_and_multi_member_gzip(self):
        item = {"TableName": self.table, "Item": {"pk": {"S": "deflate"}}}
        status, _, body = raw_post(self.server, "PutItem", zlib.compress(json.dumps(item).encode()),
                                   {"Content-Encoding": "deflate"})
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.get("deflate"))
        text = json.dumps({"TableName": self.table, "Item": {"pk": {"S": "members"}}}).encode()
        status, _, body = raw_post(self.server, "PutItem",
                                   gzip.compress(text[:10]) + gzip.compress(text[10:]),
                                   {"Content-Encoding": "gzip"})
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.get("members"))

    # DynamoDB answers what it cannot decode with a 500 and runs nothing.
    def test_undecodable_bodies_get_500(self):
        text = json.dumps({"TableName": self.table, "Item": {"pk": {"S": "bad"}}}).encode()
        packed = gzip.compress(text)
        cases = [
            ("an unknown coding", "garbage", text,
             "Unsupported Content-Encoding; gzip and deflate are supported"),
            ("plain JSON labelled gzip", "gzip", text,
             "The request body is not valid gzip data: incorrect header check"),
            ("plain JSON labelled deflate", "deflate", text,
             "The request body is not valid deflate (zlib) data: incorrect header check"),
            ("truncated by a byte", "gzip", packed[:-1],
             "The request body is not valid gzip data: truncated"),
            ("an empty body", "gzip", b"", "The request body is not valid gzip data: empty"),
            # Our choice: DynamoDB ignores junk after the gzip data, Alternator and we refuse it.
            ("junk after the gzip data", "gzip", packed + b"junk",
             "The request body is not valid gzip data: incorrect header check"),
        ]
        for label, coding, body, message in cases:
            with self.subTest(label):
                status, headers, answer = raw_post(self.server, "PutItem", body,
                                                   {"Content-Encoding": coding})
                self.assertRefused(status, headers, answer, 500,
                                   {"__type": INTERNAL, "message": message})
        self.assertIsNone(self.get("bad"))

    # A small body that inflates past 16 MB (a decompression bomb) gets the wire's 413.
    def test_inflated_size_has_the_16mb_limit(self):
        text = json.dumps({"TableName": self.table, "Item": {"pk": {"S": "bomb"}}}).encode()
        bomb = gzip.compress(text[:-1] + b" " * (17 * 1024 * 1024) + text[-1:], 1)
        self.assertLess(len(bomb), 100000)
        status, headers, answer = raw_post(self.server, "PutItem", bomb,
                                           {"Content-Encoding": "gzip"})
        self.assertRefused(status, headers, answer, 413, TOO_LARGE)
        self.assertIsNone(self.get("bomb"))


class SignedCompressedRequestTest(unittest.TestCase):
    """--auth-credentials: the signature covers the compressed bytes."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="dynamo-emu-gzip-")
        path = os.path.join(cls.dir, "credentials")
        with open(path, "w") as f:
            f.write("[default]\naws_access_key_id = AKIDGZIP\naws_secret_access_key = gz-secret\n")
        cls.server = harness.Server("--auth-credentials", path).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, cls.server.stderr_text()

    # The SDK compresses, then signs: verified over the compressed body, then inflated.
    def test_signed_compressed_requests(self):
        client, sent = compressing_client(self.server.endpoint, "AKIDGZIP", "gz-secret",
                                          retries={"mode": "standard", "max_attempts": 1})
        name = harness.unique_name("gzsig")
        harness.create_table(client, name)
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "x" * 5000}})
        got = client.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]
        self.assertEqual(got["v"]["S"], "x" * 5000)
        self.assertEqual({encoding for encoding, _ in sent}, {"gzip"})

    # A wrong key is an authentication error (400), never a retried 500.
    def test_wrong_secret_is_an_auth_error(self):
        client, _ = compressing_client(self.server.endpoint, "AKIDGZIP", "not-the-secret",
                                       retries={"mode": "standard", "max_attempts": 1})
        with self.assertRaises(ClientError) as ctx:
            client.list_tables()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)


class CompressedResponseTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = harness.unique_name("gzres")
        harness.create_table(cls.ddb, cls.table)
        cls.big = "x" * 6000
        cls.ddb.put_item(TableName=cls.table, Item={"pk": {"S": "big"}, "v": {"S": cls.big}})

    def tearDown(self):
        self.assertServerAlive()

    def get_big(self, headers, projection="v"):
        return raw_post(self.server, "GetItem", {
            "TableName": self.table, "Key": {"pk": {"S": "big"}},
            "ProjectionExpression": projection}, headers)

    def assertPlain(self, status, headers, body):
        self.assertEqual(status, 200, body[:300])
        self.assertIsNone(headers.get("Content-Encoding"))
        self.assertEqual(headers["x-amz-crc32"], str(zlib.crc32(body)))
        return json.loads(body)

    # Over 4 KB with Accept-Encoding: compressed, x-amz-crc32 over the compressed bytes.
    def test_large_responses_are_compressed(self):
        for accept, coding, inflate in [("gzip", "gzip", gzip.decompress),
                                        ("deflate", "deflate", zlib.decompress),
                                        ("gzip, deflate, br", "gzip", gzip.decompress),
                                        ("br, deflate;q=0.9, gzip;q=0.5", "deflate",
                                         zlib.decompress)]:
            with self.subTest(accept):
                status, headers, body = self.get_big({"Accept-Encoding": accept})
                self.assertEqual(status, 200)
                self.assertEqual(headers["Content-Encoding"], coding)
                self.assertEqual(headers["x-amz-crc32"], str(zlib.crc32(body)))
                self.assertEqual(int(headers["Content-Length"]), len(body))
                if coding == "gzip":
                    self.assertEqual(body[:2], b"\x1f\x8b")
                self.assertLess(len(body), 500)
                self.assertEqual(json.loads(inflate(body))["Item"]["v"]["S"], self.big)

    # Under 4096 bytes, without Accept-Encoding, with one DynamoDB ignores, or from a browser
    # (an Origin): sent as it is, with no Content-Encoding.
    def test_responses_not_compressed(self):
        cases = [
            ("small", {"Accept-Encoding": "gzip"}, "pk"),
            ("no Accept-Encoding", {}, "v"),
            ("identity", {"Accept-Encoding": "identity"}, "v"),
            ("x-gzip", {"Accept-Encoding": "x-gzip"}, "v"),
            ("refused", {"Accept-Encoding": "gzip;q=0, deflate;q=0"}, "v"),
            ("a browser", {"Accept-Encoding": "gzip, deflate", "Origin": "http://app.local"}, "v"),
        ]
        for label, headers, projection in cases:
            with self.subTest(label):
                answer = self.assertPlain(*self.get_big(headers, projection))
                self.assertIn(projection, answer["Item"])

    # The threshold: a 4095-byte response goes as it is, a 4096-byte one compressed.
    def test_threshold_is_4096_bytes(self):
        def answer_of(n):
            self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "edge"}, "v": {"S": "e" * n}})
            return raw_post(self.server, "GetItem", {
                "TableName": self.table, "Key": {"pk": {"S": "edge"}},
                "ProjectionExpression": "v"}, {"Accept-Encoding": "gzip"})

        _, _, body = answer_of(1000)  # uncompressed: the answer's size less the value's
        frame = len(body) - 1000
        status, headers, body = answer_of(4095 - frame)
        self.assertEqual(len(body), 4095)
        self.assertPlain(status, headers, body)
        status, headers, body = answer_of(4096 - frame)
        self.assertEqual(headers["Content-Encoding"], "gzip")
        self.assertEqual(len(gzip.decompress(body)), 4096)

    # boto3 checks x-amz-crc32 against the bytes received: with Accept-Encoding: gzip and
    # a hook that inflates before parsing (boto3 does not), no CRC retry happens.
    def test_boto3_accepting_gzip(self):
        client = self.server.client(retry_mode="legacy", max_attempts=5)
        seen = {}

        def accept_gzip(params, **_):
            params["headers"]["Accept-Encoding"] = "gzip"

        def inflate(response_dict, **_):
            seen["encoding"] = response_dict["headers"].get("Content-Encoding")
            if seen["encoding"] == "gzip":
                response_dict["body"] = gzip.decompress(response_dict["body"])

        client.meta.events.register("before-call.dynamodb.GetItem", accept_gzip)
        client.meta.events.register("before-parse.dynamodb.GetItem", inflate)
        got = client.get_item(TableName=self.table, Key={"pk": {"S": "big"}})
        self.assertEqual(seen["encoding"], "gzip")
        self.assertEqual(got["Item"]["v"]["S"], self.big)
        self.assertEqual(got["ResponseMetadata"]["RetryAttempts"], 0)


if __name__ == "__main__":
    unittest.main()
