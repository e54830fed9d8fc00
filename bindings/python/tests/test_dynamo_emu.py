"""The Python binding (bindings/python/dynamo_emu) with boto3 as the client:
start, use and stop in-process emulators, two side by side.

    PYTHONPATH=bindings/python python3 -m unittest discover -s bindings/python/tests -t bindings/python
"""

import threading
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

import dynamo_emu


def client(endpoint, key="test"):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def create_accounts(ddb):
    ddb.create_table(TableName="accounts", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])


class BindingTest(unittest.TestCase):
    def test_start_use_and_stop_with_boto3(self):
        with dynamo_emu.start() as endpoint:
            self.assertRegex(endpoint, r"^http://127\.0\.0\.1:\d+$")
            self.assertEqual(endpoint, f"http://127.0.0.1:{endpoint.port}")
            ddb = client(endpoint)
            create_accounts(ddb)
            ddb.put_item(TableName="accounts", Item={"id": {"S": "a"}, "version": {"N": "1"}})
            # The optimistic lock: a stale version loses.
            with self.assertRaises(ddb.exceptions.ConditionalCheckFailedException) as lost:
                ddb.put_item(TableName="accounts", Item={"id": {"S": "a"}, "version": {"N": "2"}},
                             ConditionExpression="version = :v",
                             ExpressionAttributeValues={":v": {"N": "0"}})
            self.assertEqual(lost.exception.response["Error"]["Message"],
                             "The conditional request failed")
            # In-process requests reach the namespace of their access key.
            status, body = endpoint.dispatch("GetItem", {"TableName": "accounts",
                                                         "Key": {"id": {"S": "a"}}}, access_key="test")
            self.assertEqual((status, body), (200, {"Item": {"id": {"S": "a"}, "version": {"N": "1"}}}))
            self.assertEqual(endpoint.dispatch("ListTables"), (200, {"TableNames": []}))
            status, body = endpoint.control("GET", "/_emu/health")
            self.assertEqual((status, body["Status"]), (200, "healthy"))
        with self.assertRaises(urllib.error.URLError):
            urllib.request.urlopen(endpoint, timeout=2)
        with self.assertRaisesRegex(dynamo_emu.DynamoEmuError, "^the emulator is stopped$"):
            endpoint.dispatch("ListTables")

    def test_two_emulators_side_by_side(self):
        with dynamo_emu.start() as first, dynamo_emu.start(threads=1) as second:
            self.assertNotEqual(first.port, second.port)
            create_accounts(client(first))
            self.assertEqual(client(first).list_tables()["TableNames"], ["accounts"])
            self.assertEqual(client(second).list_tables()["TableNames"], [])
            # Both serve at once.
            errors = []

            def hammer(endpoint):
                try:
                    ddb = client(endpoint)
                    for _ in range(20):
                        ddb.list_tables()
                except Exception as e:  # reported below
                    errors.append(e)
            threads = [threading.Thread(target=hammer, args=(e,)) for e in (first, second) * 2]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])

    def test_bad_options_raise_with_the_reason(self):
        cases = [
            ({"prot": 1}, "unknown option 'prot'"),
            ({"port": -1}, "option 'port' must be a whole number from 0 to 65535"),
            ({"in_memory": "yes"}, "option 'in_memory' must be true or false"),
        ]
        for options, message in cases:
            with self.subTest(options=options):
                with self.assertRaises(dynamo_emu.DynamoEmuError) as failed:
                    dynamo_emu.start(**options)
                self.assertEqual(str(failed.exception), message)
        with dynamo_emu.start() as running:
            with self.assertRaisesRegex(dynamo_emu.DynamoEmuError, "cannot listen on 127.0.0.1:"):
                dynamo_emu.start(port=running.port)

    def test_a_file_backed_store_survives_a_restart(self):
        import tempfile
        with tempfile.TemporaryDirectory() as data:
            with dynamo_emu.start(in_memory=False, db_path=data) as endpoint:
                create_accounts(client(endpoint))
            with dynamo_emu.start(in_memory=False, db_path=data) as endpoint:
                self.assertEqual(client(endpoint).list_tables()["TableNames"], ["accounts"])


if __name__ == "__main__":
    unittest.main()
