"""Raw HTTP against the server with `requests`: headers, CRC-32 and protocol errors."""

import re
import socket
import unittest
import zlib

import requests

try:
    from . import harness
except ImportError:
    import harness

REQUEST_ID = re.compile(r"^[0-9A-Z]{52}$")
SERIALIZATION = "com.amazon.coral.service#SerializationException"


class HttpProtocolTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = harness.unique_name("proto")
        harness.create_table(cls.ddb, cls.table)

    def tearDown(self):
        # Whatever a test sent, the server must still be up and answering.
        self.assertServerAlive()

    def assertWellFormed(self, r):
        """Every response carries a matching x-amz-crc32 and a DynamoDB-style request id."""
        self.assertNotEqual(r.status_code, 500, r.content[:300])
        self.assertEqual(r.headers.get("x-amz-crc32"), str(zlib.crc32(r.content)), r.content[:300])
        self.assertRegex(r.headers.get("x-amzn-RequestId", ""), REQUEST_ID)

    def assertJsonError(self, r, status, body):
        self.assertWellFormed(r)
        self.assertEqual(r.status_code, status, r.content[:300])
        self.assertEqual(r.json(), body)

    # The CRC header is what boto3 verifies; it must match on success responses.
    def test_crc32_on_success(self):
        for target, body in [
            ("ListTables", {}),
            ("DescribeTable", {"TableName": self.table}),
            ("PutItem", {"TableName": self.table, "Item": {"pk": {"S": "crc"}, "b": {"B": "AAEC/w=="}}}),
            ("GetItem", {"TableName": self.table, "Key": {"pk": {"S": "crc"}}}),
        ]:
            with self.subTest(target=target):
                r = self.server.post(target, body)
                self.assertEqual(r.status_code, 200, r.content)
                self.assertWellFormed(r)
                self.assertEqual(r.headers["Content-Type"], "application/x-amz-json-1.0")
        r = self.server.post("GetItem", {"TableName": self.table, "Key": {"pk": {"S": "crc"}}})
        self.assertEqual(r.json()["Item"]["b"], {"B": "AAEC/w=="})

    # ...and on error responses, which boto3 also checks before parsing.
    def test_crc32_on_errors(self):
        for target, body in [
            ("DescribeTable", {"TableName": "no-such-table"}),
            ("PutItem", {"TableName": self.table, "Item": {}}),
            ("ListTables", "{"),
            ("Nope", {}),
        ]:
            with self.subTest(target=target, body=body):
                r = self.server.post(target, body)
                self.assertEqual(r.status_code, 400)
                self.assertWellFormed(r)

    # Request ids are fresh per response.
    def test_request_ids_are_unique(self):
        ids = {self.server.post("ListTables", {}).headers["x-amzn-RequestId"] for _ in range(20)}
        self.assertEqual(len(ids), 20)

    # With legacy retries boto3 retries on a CRC mismatch; RetryAttempts 0 proves the CRCs match.
    def test_boto3_needs_no_retries(self):
        ddb = self.server.client(retry_mode="legacy", max_attempts=5)
        responses = [
            ddb.list_tables(),
            ddb.put_item(TableName=self.table, Item={"pk": {"S": "retry"}, "v": {"S": "\u00e9" * 1000}}),
            ddb.get_item(TableName=self.table, Key={"pk": {"S": "retry"}}),
            ddb.describe_table(TableName=self.table),
        ]
        for resp in responses:
            self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 0)
        try:
            ddb.describe_table(TableName="no-such-table")
            self.fail("expected ResourceNotFoundException")
        except ddb.exceptions.ResourceNotFoundException as e:
            self.assertEqual(e.response["ResponseMetadata"]["RetryAttempts"], 0)

    # A body that is not JSON: bare SerializationException without a message.
    def test_body_not_json(self):
        r = self.server.post("ListTables", "this is not json")
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        self.assertEqual(r.content, b'{"__type":"com.amazon.coral.service#SerializationException"}')

    # An unknown X-Amz-Target: bare UnknownOperationException.
    def test_unknown_operation(self):
        r = self.server.post("DynamoDB_20120810.Nope", {})
        self.assertJsonError(r, 400, {"__type": "com.amazon.coral.service#UnknownOperationException"})
        self.assertEqual(r.content, b'{"__type":"com.amazon.coral.service#UnknownOperationException"}')
        r = self.server.post("DynamoDB_20111205.ListTables", {})
        self.assertJsonError(r, 400, {"__type": "com.amazon.coral.service#UnknownOperationException"})

    # No Authorization header at all.
    def test_missing_authorization(self):
        r = self.server.post("ListTables", {}, auth=False)
        self.assertJsonError(r, 400, {
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token",
        })

    # An Authorization header that is only "AWS4-" lists every missing part, in order.
    def test_incomplete_signature(self):
        r = self.server.post("ListTables", {}, auth=False, headers={"Authorization": "AWS4-"})
        self.assertJsonError(r, 400, {
            "__type": "com.amazon.coral.service#IncompleteSignatureException",
            "message": "Authorization header requires 'Credential' parameter. "
                       "Authorization header requires 'Signature' parameter. "
                       "Authorization header requires 'SignedHeaders' parameter. "
                       "Authorization header requires existence of either a 'X-Amz-Date' or a "
                       "'Date' header. Authorization=AWS4-",
        })

    # A Credential that is not keyid/date/region/service/term is an IncompleteSignatureException.
    def test_credential_with_four_parts(self):
        r = self.server.post("ListTables", {}, auth=False, headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=x",
            "X-Amz-Date": "20240101T000000Z"})
        self.assertJsonError(r, 400, {
            "__type": "com.amazon.coral.service#IncompleteSignatureException",
            "message": "Credential must have exactly 5 slash-delimited elements, e.g. "
                       "keyid/date/region/service/term, got 'a/b/c/d'",
        })

    # A Date header satisfies the date requirement as well as X-Amz-Date does.
    def test_date_header_instead_of_x_amz_date(self):
        r = self.server.post("ListTables", {}, auth=False, headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host;date, Signature=abc",
            "Date": "Mon, 01 Jan 2024 00:00:00 GMT"})
        self.assertEqual(r.status_code, 200, r.content)

    # Checks run in DynamoDB's order: JSON, then target, then authentication.
    def test_check_order(self):
        r = self.server.post("ListTables", "{", auth=False)
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        r = self.server.post("Nope", {}, auth=False)
        self.assertJsonError(r, 400, {"__type": "com.amazon.coral.service#UnknownOperationException"})
        r = self.server.post(None, {})
        self.assertJsonError(r, 400, {"__type": "com.amazon.coral.service#UnknownOperationException"})

    # Found by fuzzing: a lone surrogate escape is not text; it must not be
    # stored and echoed back as invalid UTF-8 (a pair is fine).
    def test_lone_surrogate_escape_is_a_serialization_error(self):
        table = harness.unique_name("surrogate")
        harness.create_table(self.ddb, table)
        for value in ("\\udeea", "x\\udc00y", "\\ud83d"):
            with self.subTest(value=value):
                body = '{"TableName":"%s","Item":{"pk":{"S":"%s"}}}' % (table, value)
                r = self.server.post("PutItem", body)
                self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        body = '{"TableName":"%s","Item":{"pk":{"S":"\\ud83d\\ude00"}}}' % table
        self.assertEqual(self.server.post("PutItem", body).status_code, 200)
        self.assertEqual(self.ddb.scan(TableName=table)["Items"], [{"pk": {"S": "\U0001F600"}}])

    # An empty body (or a JSON value that is not an object) is a bare SerializationException.
    def test_empty_or_non_object_body(self):
        for body in ("", "[]", "null", "5"):
            with self.subTest(body=body):
                self.assertJsonError(self.server.post("ListTables", body), 400, {"__type": SERIALIZATION})

    # Content-Type parameters such as charset are ignored; plain application/json works too.
    def test_content_type_variants(self):
        for ct in ("application/x-amz-json-1.0; charset=utf-8", "application/json"):
            with self.subTest(ct=ct):
                r = self.server.post("ListTables", {}, content_type=ct)
                self.assertEqual(r.status_code, 200, r.content)
                self.assertWellFormed(r)

    # Wrong JSON types are SerializationExceptions with a capital "Message".
    def test_wrong_json_types(self):
        t = self.table
        cases = [
            ("DescribeTable", {"TableName": 5}, "NUMBER_VALUE cannot be converted to String"),
            ("DescribeTable", {"TableName": True}, "TRUE_VALUE cannot be converted to String"),
            ("DescribeTable", {"TableName": 34.56}, "DECIMAL_VALUE cannot be converted to String"),
            ("GetItem", {"TableName": t, "Key": "x"}, "Unexpected field type"),
            ("GetItem", {"TableName": t, "Key": {"a": {"S": True}}}, "TRUE_VALUE cannot be converted to String"),
            ("GetItem", {"TableName": t, "Key": {"a": {"N": 123}}}, "NUMBER_VALUE cannot be converted to String"),
            ("GetItem", {"TableName": t, "Key": {"a": "x"}}, "Unexpected value type in payload"),
            ("GetItem", {"TableName": t, "Key": {"a": {"B": "abcde"}}},
             "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
            ("ListTables", {"Limit": "5"}, "STRING_VALUE cannot be converted to Integer"),
            ("GetItem", {"TableName": t, "Key": {"pk": {"S": "a"}}, "ConsistentRead": 23},
             "NUMBER_VALUE cannot be converted to Boolean"),
            ("PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "b": {"BS": ["abcde"]}}},
             "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
        ]
        for target, body, message in cases:
            with self.subTest(body=body):
                r = self.server.post(target, body)
                self.assertJsonError(r, 400, {"__type": SERIALIZATION, "Message": message})

    # DynamoDB's limit is 16 MB per request: one byte more is 413, and the server lives on.
    def test_body_over_16mb(self):
        body = b" " * (16 * 1024 * 1024 + 1)
        r = self.server.post("ListTables", body)
        self.assertEqual(r.status_code, 413, r.content[:300])
        self.assertEqual(r.headers.get("x-amz-crc32"), str(zlib.crc32(r.content)))
        self.assertEqual(r.headers.get("Connection"), "close")
        # A fresh connection still gets served.
        with requests.Session() as s:
            r = self.server.post("ListTables", {}, session=s)
            self.assertEqual(r.status_code, 200)

    # A body of exactly 16 MB is under the limit and reaches the JSON layer.
    def test_body_of_exactly_16mb_is_read(self):
        body = b"{" + b" " * (16 * 1024 * 1024 - 2) + b"}"
        r = self.server.post("ListTables", body)
        self.assertEqual(r.status_code, 200, r.content[:200])
        self.assertWellFormed(r)

    # The JSON 1.1 content type is accepted and echoed.
    def test_json_1_1_content_type(self):
        r = self.server.post("ListTables", {}, content_type="application/x-amz-json-1.1")
        self.assertEqual(r.status_code, 200)
        self.assertWellFormed(r)
        self.assertEqual(r.headers["Content-Type"], "application/x-amz-json-1.1")
        self.assertIn("TableNames", r.json())

    # GET / is the health check DynamoDB's endpoints answer, naming the Host
    # asked for, with a Date header like every response.
    def test_get_root_health_check(self):
        r = requests.get(self.server.endpoint + "/", timeout=10)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, f"healthy: 127.0.0.1:{self.server.port} ")
        self.assertRegex(r.headers["Date"], r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")
        r = requests.get(self.server.endpoint + "/", headers={"Host": "dynamodb.local:8000"},
                         timeout=10)
        self.assertEqual(r.text, "healthy: dynamodb.local:8000 ")

    # Other methods or a non-JSON content type: 404 <UnknownOperationException/>.
    def test_wrong_method_or_content_type(self):
        r = requests.put(self.server.endpoint + "/", data="{}", timeout=10,
                         headers={"Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual((r.status_code, r.content), (404, b"<UnknownOperationException/>\n"))
        self.assertEqual(r.headers["x-amz-crc32"], "3552371480")
        r = self.server.post("ListTables", "{}", content_type="text/plain")
        self.assertEqual((r.status_code, r.content), (404, b"<UnknownOperationException/>\n"))

    # 100000 levels of JSON arrays: the parser must not recurse itself to death.
    def test_deeply_nested_json_array(self):
        n = 100000
        r = self.server.post("ListTables", "[" * n + "]" * n)
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        self.assertServerAlive()
        r = self.server.post("ListTables", '{"ExclusiveStartTableName":' + "[" * n + "]" * n + "}")
        self.assertWellFormed(r)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["__type"], SERIALIZATION)
        self.assertServerAlive()

    # Nesting is limited (512 levels) while parsing, in ignored fields too:
    # nothing walks a deeper request, so no request can exhaust the stack.
    def test_deeply_nested_unknown_field(self):
        def body(n):
            return '{"Zzz":' + '{"a":' * n + "1" + "}" * n + "}"
        r = self.server.post("ListTables", body(100000))
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        self.assertServerAlive()
        r = self.server.post("ListTables", body(511))  # 512 levels with the top-level object
        self.assertEqual(r.status_code, 200, r.content[:200])
        self.assertWellFormed(r)
        r = self.server.post("ListTables", body(512))
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})

    # Regression: TransactWriteItems walked the whole request recursively
    # (size check, token canonical form) and 150,000 levels killed the server.
    def test_deep_nesting_cannot_kill_a_transaction(self):
        n = 150000
        body = ('{"TransactItems":[{"Put":{"TableName":"%s","Item":{"pk":{"S":"t"}}}}],"Junk":'
                % self.table) + "[" * n + "]" * n + "}"
        r = self.server.post("TransactWriteItems", body)
        self.assertJsonError(r, 400, {"__type": SERIALIZATION})
        self.assertServerAlive()

    # An M nested 32 levels (its leaf at level 33) is a 400 ValidationException,
    # not a crash; 31 levels are stored.
    def test_map_nested_32_levels(self):
        def body(levels):
            return ('{"TableName":"%s","Item":{"pk":{"S":"deep"},"d":' % self.table
                    + '{"M":{"a":' * levels + '{"S":"x"}' + "}}" * levels + "}}")
        r = self.server.post("PutItem", body(32))
        self.assertJsonError(r, 400, {
            "__type": "com.amazon.coral.validate#ValidationException",
            # PutItem's own checks are enveloped (DynamoDB, 2026-10-09).
            "message": "1 validation error detected: Nesting Levels have exceeded supported "
                       "limits: Attributes in the item have nested levels beyond supported limit",
        })
        r = self.server.post("PutItem", body(31))
        self.assertEqual(r.status_code, 200, r.content[:300])

    # Keep-alive: many requests on one connection, each with a correct CRC.
    def test_keep_alive_connection_reused(self):
        with requests.Session() as s:
            for i in range(10):
                r = self.server.post("PutItem", {"TableName": self.table,
                                                 "Item": {"pk": {"S": f"ka{i}"}}}, session=s)
                self.assertEqual(r.status_code, 200)
                self.assertWellFormed(r)

    def raw_exchange(self, request):
        """Sends raw bytes on a new connection; returns all the server sends back."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(request)
            data = b""
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            return data

    # Regression: a request the HTTP parser refuses got a silent close; HTTP
    # requires a 400, so clients and proxies report a clear error.
    def test_malformed_http_gets_400(self):
        head = b"POST / HTTP/1.1\r\nHost: x\r\n"
        cases = {
            "Content-Length not a number": head + b"Content-Length: abc\r\n\r\n",
            "negative Content-Length": head + b"Content-Length: -1\r\n\r\n",
            "two Content-Lengths": head + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "Content-Length overflow": head + b"Content-Length: 99999999999999999999999\r\n\r\n",
            "bad chunk size": head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            "chunked and Content-Length": head
            + b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "header line without colon": head + b"NoColonHere\r\nContent-Length: 2\r\n\r\n{}",
            "control byte in a header": head + b"X-Bad: a\x01b\r\nContent-Length: 2\r\n\r\n{}",
            "unknown HTTP version": b"POST / HTTP/9.9\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
            "not HTTP at all": b"\x00\xff\x13garbage\r\n\r\n",
        }
        for label, request in cases.items():
            with self.subTest(label):
                response = self.raw_exchange(request)
                status_line = response.split(b"\r\n", 1)[0]
                self.assertEqual(status_line, b"HTTP/1.1 400 Bad Request", response[:200])
                self.assertIn(b"Connection: close", response)
                self.assertServerAlive()

class DeepAttributeValueTest(unittest.TestCase):
    """Each body gets a fresh server, so one crash cannot hide the other cases."""

    # A 100000-level M/L in an Item or Key must be rejected with a 400, not overflow the stack.
    def test_attribute_value_nested_100000_levels(self):
        n = 100000
        t = "deep-table"
        bodies = {
            "PutItem M": '{"TableName":"%s","Item":{"pk":{"S":"k"},"d":' % t
                         + '{"M":{"a":' * n + '{"S":"x"}' + "}}" * n + "}}",
            "PutItem L": '{"TableName":"%s","Item":{"pk":{"S":"k"},"d":' % t
                         + '{"L":[' * n + '{"S":"x"}' + "]}" * n + "}}",
            "GetItem M": '{"TableName":"%s","Key":{"pk":' % t
                         + '{"M":{"a":' * n + '{"S":"x"}' + "}}" * n + "}}",
        }
        for label, body in bodies.items():
            with self.subTest(label):
                server = harness.Server().start()
                try:
                    harness.create_table(server.client(), t)
                    try:
                        r = server.post(label.split()[0], body)
                    except requests.ConnectionError as e:
                        try:
                            server.proc.wait(5)
                        except Exception:
                            pass
                        self.fail(f"{label}: connection dropped ({e}); server exit code "
                                  f"{server.proc.poll()}")
                    self.assertNotEqual(r.status_code, 500, r.content[:300])
                    self.assertEqual(r.status_code, 400, r.content[:300])
                    self.assertEqual(r.headers.get("x-amz-crc32"), str(zlib.crc32(r.content)))
                    self.assertIn(r.json()["__type"], (
                        "com.amazon.coral.validate#ValidationException", SERIALIZATION))
                    self.assertTrue(server.alive())
                    self.assertEqual(requests.get(server.endpoint + "/", timeout=10).status_code, 200)
                finally:
                    if server.alive():
                        server.stop()
                    else:
                        server.kill()



class CorsTest(unittest.TestCase):
    """--cors ORIGINS (DynamoDB Local's -cors): browser preflights and Access-Control-* headers."""

    def preflight(self, server, origin):
        return requests.options(server.endpoint + "/", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target"})

    def test_listed_origins_get_cors_headers(self):
        with harness.Server("-cors", "http://app.local,http://admin.local") as server:
            r = self.preflight(server, "http://admin.local")
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r.headers["Access-Control-Allow-Origin"], "http://admin.local")
            self.assertEqual(r.headers["Access-Control-Allow-Methods"], "GET, POST, OPTIONS")
            self.assertEqual(r.headers["Access-Control-Allow-Headers"],
                             "authorization,content-type,x-amz-date,x-amz-target")
            # A signed request from the page: the answer names the origin and exposes the SDK's headers.
            client = server.client()
            seen = {}
            client.meta.events.register("before-send.dynamodb.ListTables",
                                        lambda request, **_: request.headers.__setitem__("Origin", "http://app.local"))
            client.meta.events.register("after-call.dynamodb.ListTables",
                                        lambda http_response, **_: seen.update(http_response.headers))
            client.list_tables()
            self.assertEqual(seen["Access-Control-Allow-Origin"], "http://app.local")
            self.assertEqual(seen["Access-Control-Expose-Headers"], "x-amzn-RequestId")
            other = self.preflight(server, "http://elsewhere")
            self.assertNotIn("Access-Control-Allow-Origin", other.headers)

    def test_off_by_default(self):
        with harness.Server() as server:
            r = self.preflight(server, "http://app.local")
            self.assertEqual(r.status_code, 404)
            self.assertNotIn("Access-Control-Allow-Origin", r.headers)

if __name__ == "__main__":
    unittest.main()
