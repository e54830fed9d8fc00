"""A consumer's Python tests against an in-process dynamo-emu (boto3 as the
client), one emulator for the module, a table per test:

    PYTHONPATH=<dynamo-emu>/bindings/python DYNAMO_EMU_LIB=<prefix>/lib/libdynamo-emu.so \
        python3 -m unittest test_orders.py

With pytest, the same as a fixture:

    @pytest.fixture(scope="session")
    def dynamodb():
        with dynamo_emu.start() as endpoint:
            yield boto3.client("dynamodb", endpoint_url=endpoint, ...)
"""

import unittest
import uuid

import boto3

import dynamo_emu

emulator = None


def setUpModule():
    global emulator
    emulator = dynamo_emu.start()


def tearDownModule():
    emulator.stop()


class OrdersTest(unittest.TestCase):
    def setUp(self):
        self.ddb = boto3.client("dynamodb", endpoint_url=emulator, region_name="eu-west-1",
                                aws_access_key_id="orders", aws_secret_access_key="test")
        self.table = f"orders-{uuid.uuid4().hex[:8]}"
        self.ddb.create_table(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])

    def test_an_order_is_placed_once_only(self):
        place = dict(TableName=self.table, Item={"id": {"S": "o-1"}},
                     ConditionExpression="attribute_not_exists(id)")
        self.ddb.put_item(**place)
        with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException):
            self.ddb.put_item(**place)

    def test_a_transfer_is_all_or_nothing(self):
        self.ddb.put_item(TableName=self.table, Item={"id": {"S": "a"}, "balance": {"N": "10"}})
        with self.assertRaises(self.ddb.exceptions.TransactionCanceledException) as cancelled:
            self.ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table, "Key": {"id": {"S": "a"}},
                            "UpdateExpression": "SET balance = balance - :n",
                            "ConditionExpression": "balance >= :n",
                            "ExpressionAttributeValues": {":n": {"N": "50"}}}},
                {"Put": {"TableName": self.table, "Item": {"id": {"S": "b"}, "balance": {"N": "50"}}}},
            ])
        self.assertEqual([r["Code"] for r in cancelled.exception.response["CancellationReasons"]],
                         ["ConditionalCheckFailed", "None"])
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"id": {"S": "b"}}))


if __name__ == "__main__":
    unittest.main()
