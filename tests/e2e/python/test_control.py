"""The control API (/_emu/) and fault injection, through boto3 and plain HTTP:
an SDK with retries recovers from injected throttling and one without them surfaces it,
every injectable error arrives as DynamoDB sends it, --fault at start, latency that does
not hold a server thread, reset, snapshot and restore (timed on 10,000 items), and the
transactions in flight with their item locks.
"""

import subprocess
import threading
import time
import unittest

import botocore.config
import requests
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

NS = {"AccessKeyId": harness.ACCESS_KEY, "Region": harness.REGION}
THROTTLING_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if you "
    "have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)


def control(server, method, path, body=None):
    r = requests.request(method, server.endpoint + "/_emu/" + path, json=body, timeout=30)
    return r.status_code, r.json()


def client(server, **retries):
    """A boto3 client with the given retry settings (botocore's names)."""
    session = server._session(harness.ACCESS_KEY, harness.REGION)
    config = botocore.config.Config(retries=retries, connect_timeout=5, read_timeout=30)
    return session.client("dynamodb", endpoint_url=server.endpoint, config=config)


class FaultInjectionTest(harness.ServerTestCase):
    server_args = ("--threads", "2")
    def setUp(self):
        self.table = harness.unique_name("faults")
        harness.create_table(self.ddb, self.table)
        self.addCleanup(control, self.server, "DELETE", "faults")

    def set_faults(self, *rules, seed=None):
        body = {"Rules": list(rules)}
        if seed is not None:
            body["Seed"] = seed
        status, out = control(self.server, "POST", "faults", body)
        self.assertEqual(status, 200, out)
        return out

    def test_sdk_with_retries_recovers_from_injected_throttling(self):
        self.set_faults({"Error": "ThrottlingException", "Count": 2, "Operations": ["PutItem"],
                         "Tables": [self.table]})
        retrying = client(self.server, mode="standard", total_max_attempts=3)
        out = retrying.put_item(TableName=self.table, Item={"pk": {"S": "a"}})
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertIn("Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "a"}}))
        _, faults = control(self.server, "GET", "faults")
        rule = faults["Rules"][0]
        self.assertEqual((rule["Matched"], rule["Injected"], rule["Remaining"]), (2, 2, 0))

    def test_sdk_without_retries_surfaces_the_injected_error(self):
        self.set_faults({"Error": "ThrottlingException", "Count": 1, "Tables": [self.table]})
        no_retries = client(self.server, mode="standard", total_max_attempts=1)
        with self.assertRaises(ClientError) as ctx:
            no_retries.put_item(TableName=self.table, Item={"pk": {"S": "b"}})
        r = ctx.exception.response
        self.assertEqual(r["Error"], {"Code": "ThrottlingException", "Message": THROTTLING_MESSAGE})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 0)
        self.assertEqual(r["throttlingReasons"], [{
            "reason": "TableWriteKeyRangeThroughputExceeded",
            "resource": f"arn:aws:dynamodb:{harness.REGION}:000000000000:table/{self.table}"}])
        # The refused write wrote nothing; the next request is not hit.
        self.assertNotIn("Item", no_retries.get_item(TableName=self.table, Key={"pk": {"S": "b"}}))

    def test_every_injectable_error_is_rendered_as_dynamodb_renders_it(self):
        cases = [
            ("ProvisionedThroughputExceededException", 400,
             "The level of configured provisioned throughput for the table was exceeded. "
             "Consider increasing your provisioning level with the UpdateTable API."),
            ("RequestLimitExceeded", 400,
             "Throughput exceeds the current throughput limit for your account. Please contact "
             "AWS Support at https://aws.amazon.com/support request a limit increase"),
            ("InternalServerError", 500, "Internal server error"),
            ("ServiceUnavailable", 503,
             "The request has failed due to a temporary failure of the server."),
            ("TransactionConflictException", 400, "Transaction is ongoing for the item"),
            ("ThrottlingException", 400, THROTTLING_MESSAGE),
        ]
        no_retries = client(self.server, mode="legacy", max_attempts=0)
        for error, status, message in cases:
            with self.subTest(error=error):
                self.set_faults({"Error": error, "Count": 1})
                with self.assertRaises(ClientError) as ctx:
                    no_retries.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
                r = ctx.exception.response
                self.assertEqual((r["Error"]["Code"], r["Error"]["Message"]), (error, message))
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], status)
        # botocore's standard mode retries each of them but TransactionConflictException, as
        # it does against DynamoDB.
        for error, _, _ in cases:
            with self.subTest(retried=error):
                self.set_faults({"Error": error, "Count": 1})
                standard = client(self.server, mode="standard", total_max_attempts=3)
                if error == "TransactionConflictException":
                    with self.assertRaises(ClientError) as ctx:
                        standard.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
                    self.assertEqual(ctx.exception.response["ResponseMetadata"]["RetryAttempts"], 0)
                    continue
                out = standard.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
                self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 1)

    def test_a_fraction_of_requests_reproducibly_from_the_seed(self):
        no_retries = client(self.server, mode="standard", total_max_attempts=1)

        def pattern(seed):
            self.set_faults({"Error": "InternalServerError", "Probability": 0.5,
                             "Operations": ["GetItem"]}, seed=seed)
            out = ""
            for _ in range(40):
                try:
                    no_retries.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
                    out += "."
                except ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"], "InternalServerError")
                    out += "x"
            return out

        first = pattern(42)
        self.assertEqual(pattern(42), first)
        self.assertIn("x", first)
        self.assertIn(".", first)
        self.assertNotEqual(pattern(43), first)

    def test_latency_delays_answers_without_holding_a_server_thread(self):
        self.set_faults({"LatencyMs": 400, "Operations": ["GetItem"]})
        start = time.monotonic()
        self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        # Eight delayed requests at once on a 2-thread server: they wait together.
        errors = []
        clients = [client(self.server, mode="standard", total_max_attempts=1) for _ in range(8)]

        def get(c):
            try:
                c.get_item(TableName=self.table, Key={"pk": {"S": "x"}})
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=get, args=(c,)) for c in clients]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        self.assertEqual(errors, [])
        # Held threads would take 8 x 0.4 s / 2 threads = 1.6 s.
        self.assertLess(elapsed, 1.2, "delayed answers held the server's threads")
        # Undelayed operations are not slowed meanwhile.
        start = time.monotonic()
        self.ddb.list_tables()
        self.assertLess(time.monotonic() - start, 0.4)


class FaultFlagTest(unittest.TestCase):
    def test_fault_given_at_start(self):
        with harness.Server("--fault", "error=InternalServerError,count=1,operations=ListTables",
                            "--threads", "2") as server:
            no_retries = client(server, mode="standard", total_max_attempts=1)
            with self.assertRaises(ClientError) as ctx:
                no_retries.list_tables()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "InternalServerError")
            self.assertEqual(no_retries.list_tables()["TableNames"], [])
            _, faults = control(server, "GET", "faults")
            self.assertEqual(faults["Rules"][0]["Remaining"], 0)

    def test_a_bad_fault_flag_stops_the_server_with_a_message(self):
        r = subprocess.run([harness.BINARY, "--in-memory", "--port", "0", "--fault", "error=Nope"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("invalid --fault: unknown fault error 'Nope'", r.stderr)


class ControlApiTest(harness.ServerTestCase):
    server_args = ("--transaction-hold-ms", "1500", "--threads", "4")

    def test_health_names_the_version(self):
        status, out = control(self.server, "GET", "health")
        self.assertEqual(status, 200)
        self.assertEqual(out["Status"], "healthy")
        version = subprocess.run([harness.BINARY, "--version"], capture_output=True, text=True)
        self.assertEqual(version.stdout.strip(), "dynamo-emu " + out["Version"])

    def test_reset_deletes_every_table_of_the_namespace(self):
        other = self.server.client(access_key="OTHERKEY")
        harness.create_table(other, "kept")
        names = [harness.unique_name("reset") for _ in range(3)]
        for name in names:
            harness.create_table(self.ddb, name)
        status, out = control(self.server, "POST", "reset", NS)
        self.assertEqual(status, 200, out)
        self.assertTrue(set(names) <= set(out["DeletedTables"]))
        self.assertEqual(self.ddb.list_tables()["TableNames"], [])
        self.assertEqual(other.list_tables()["TableNames"], ["kept"])

    def test_snapshot_and_restore_of_10000_items(self):
        table = harness.unique_name("fixtures")
        harness.create_table(self.ddb, table, range_key=("sk", "N"))
        for batch in range(400):
            self.ddb.batch_write_item(RequestItems={table: [
                {"PutRequest": {"Item": {"pk": {"S": f"p{batch}"}, "sk": {"N": str(i)},
                                         "payload": {"S": "x" * 100}}}} for i in range(25)]})
        status, taken = control(self.server, "POST", "snapshots", {"Name": "fixtures", **NS})
        self.assertEqual(status, 200, taken)
        self.assertIn(table, taken["Tables"])

        # A test changes things ...
        self.ddb.delete_item(TableName=table, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
        harness.create_table(self.ddb, harness.unique_name("scratch"))
        # ... and the next one starts from the fixtures again.
        timings = []
        for _ in range(5):
            start = time.monotonic()
            status, restored = control(self.server, "POST", "snapshots/restore",
                                       {"Name": "fixtures"})
            timings.append((time.monotonic() - start) * 1000)
            self.assertEqual(status, 200, restored)
        print(f"\nrestore of a 10,000-item snapshot over HTTP: best {min(timings):.1f} ms, "
              f"server-side {restored['ElapsedMs']:.1f} ms (taken in {taken['ElapsedMs']:.1f} ms, "
              f"{taken['SizeBytes']} bytes)")
        self.assertEqual(self.ddb.list_tables()["TableNames"], [table])
        self.assertIn("Item", self.ddb.get_item(TableName=table,
                                                Key={"pk": {"S": "p0"}, "sk": {"N": "0"}}))
        self.assertNotIn("Item", self.ddb.get_item(TableName=table,
                                                   Key={"pk": {"S": "new"}, "sk": {"N": "1"}}))
        count = 0
        for page in self.ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            count += page["Count"]
        self.assertEqual(count, 10000)
        status, listed = control(self.server, "GET", "snapshots")
        self.assertEqual([s["Name"] for s in listed["Snapshots"]], ["fixtures"])
        self.assertEqual(control(self.server, "DELETE", "snapshots", {"Name": "fixtures"})[0], 200)

    def test_transactions_in_flight_and_their_locks(self):
        table = harness.unique_name("locks")
        harness.create_table(self.ddb, table)
        held = threading.Thread(target=lambda: self.server.client().transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "held"}}}}]))
        held.start()
        self.addCleanup(held.join)
        locks = []
        deadline = time.monotonic() + 1.2
        while not locks and time.monotonic() < deadline:
            locks = control(self.server, "GET", "locks")[1]["Locks"]
        self.assertEqual(len(locks), 1, locks)
        self.assertEqual((locks[0]["TableName"], locks[0]["Key"], locks[0]["Operation"]),
                         (table, {"pk": {"S": "held"}}, "TransactWriteItems"))
        _, txns = control(self.server, "GET", "transactions")
        mine = [t for t in txns["Transactions"] if t["Id"] == locks[0]["TransactionId"]]
        self.assertEqual(mine[0]["Items"], [{"TableName": table, "Key": {"pk": {"S": "held"}}}])
        # What a concurrent writer of that item meets while the lock is listed.
        with self.assertRaises(ClientError) as ctx:
            self.server.client(max_attempts=0).put_item(TableName=table,
                                                        Item={"pk": {"S": "held"}})
        self.assertEqual(ctx.exception.response["Error"]["Code"], "TransactionConflictException")
        held.join()
        self.assertEqual(control(self.server, "GET", "locks")[1], {"Locks": []})


class FileSnapshotTest(unittest.TestCase):
    def test_a_restore_is_durable(self):
        import tempfile
        with tempfile.TemporaryDirectory() as data:
            with harness.Server(db_path=data) as server:
                ddb = server.client()
                harness.create_table(ddb, "fixtures")
                ddb.put_item(TableName="fixtures", Item={"pk": {"S": "f"}})
                self.assertEqual(control(server, "POST", "snapshots", {"Name": "s", **NS})[0], 200)
                ddb.delete_table(TableName="fixtures")
                self.assertEqual(
                    control(server, "POST", "snapshots/restore", {"Name": "s"})[0], 200)
                server.kill()  # a crash right after the restore answered
            with harness.Server(db_path=data) as server:
                ddb = server.client()
                self.assertEqual(ddb.list_tables()["TableNames"], ["fixtures"])
                self.assertIn("Item", ddb.get_item(TableName="fixtures", Key={"pk": {"S": "f"}}))


if __name__ == "__main__":
    unittest.main()
