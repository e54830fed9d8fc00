"""A crash (SIGKILL) of the server in the middle of a transaction load leaves
no partial transaction: after restart every account total is conserved and
each acknowledged transfer is there."""
import random
import shutil
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from tests.e2e.python.harness import Server, unique_name

ACCOUNTS = 10
START_BALANCE = 100


class TransactionCrashTest(unittest.TestCase):
    # Transactions are atomic in storage, so a kill at any moment must leave
    # every transfer fully applied or not at all: the total never changes.
    def test_sigkill_during_transfers_leaves_no_partial_transaction(self):
        data = tempfile.mkdtemp(prefix="dynamo-crash-")
        self.addCleanup(shutil.rmtree, data, True)
        table = unique_name("bank")
        server = Server(db_path=data).start()
        try:
            ddb = server.client()
            ddb.create_table(
                TableName=table, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
            for i in range(ACCOUNTS):
                ddb.put_item(TableName=table, Item={"id": {"S": f"a{i}"}, "balance": {"N": str(START_BALANCE)}, "applied": {"NS": ["-1"]}})
            acknowledged = []
            stop = threading.Event()

            def worker(seed):
                rnd = random.Random(seed)
                client = server.client(max_attempts=1)
                n = 0
                while not stop.is_set():
                    src, dst = rnd.sample(range(ACCOUNTS), 2)
                    transfer_id = seed * 1_000_000 + n
                    n += 1
                    amount = rnd.randint(1, 5)
                    try:
                        client.transact_write_items(TransactItems=[
                            {"Update": {"TableName": table, "Key": {"id": {"S": f"a{src}"}},
                                        "UpdateExpression": "SET balance = balance - :a ADD applied :t",
                                        "ConditionExpression": "balance >= :a",
                                        "ExpressionAttributeValues": {":a": {"N": str(amount)}, ":t": {"NS": [str(transfer_id)]}}}},
                            {"Update": {"TableName": table, "Key": {"id": {"S": f"a{dst}"}},
                                        "UpdateExpression": "SET balance = balance + :a ADD applied :t",
                                        "ExpressionAttributeValues": {":a": {"N": str(amount)}, ":t": {"NS": [str(transfer_id)]}}}},
                        ])
                        acknowledged.append(transfer_id)
                    except (botocore.exceptions.ClientError, botocore.exceptions.EndpointConnectionError,
                            botocore.exceptions.ConnectionClosedError, botocore.exceptions.ReadTimeoutError):
                        if not server.alive():
                            return

            threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill()  # a crash in the middle of the load
            stop.set()
            for t in threads:
                t.join(10)
            self.assertGreater(len(acknowledged), 50, "the load should have committed transfers")
        finally:
            if server.alive():
                server.kill()

        restarted = Server(db_path=data).start()
        try:
            items = restarted.client().scan(TableName=table, ConsistentRead=True)["Items"]
            self.assertEqual(len(items), ACCOUNTS)
            total = sum(int(i["balance"]["N"]) for i in items)
            self.assertEqual(total, ACCOUNTS * START_BALANCE)
            for item in items:
                self.assertGreaterEqual(int(item["balance"]["N"]), 0)
            # Every transfer id appears on both of its accounts or on neither.
            seen = {}
            for item in items:
                for t in item["applied"]["NS"]:
                    if t != "-1":
                        seen[t] = seen.get(t, 0) + 1
            self.assertTrue(all(c == 2 for c in seen.values()), "a transfer was half applied")
            # Every acknowledged transfer survived the crash.
            missing = [t for t in acknowledged if str(t) not in seen]
            self.assertEqual(missing, [])
        finally:
            restarted.stop()


if __name__ == "__main__":
    unittest.main()
