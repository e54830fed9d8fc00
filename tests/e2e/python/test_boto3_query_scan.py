"""Query, Scan, indexes, batches and transactions through boto3, including its
own paginators and the resource API's legacy-condition helpers."""
import unittest

import botocore.exceptions
from boto3.dynamodb.conditions import Attr, Key

from tests.e2e.python.harness import Server, unique_name


class Boto3QueryScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.ddb = cls.server.client()
        cls.table = unique_name("qs")
        cls.ddb.create_table(
            TableName=cls.table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}])
        # 3 partitions x 1000 items of ~700 bytes: several 1 MB pages in all.
        table = cls.server.resource().Table(cls.table)
        with table.batch_writer() as batch:
            for p in range(3):
                for i in range(1000):
                    item = {"pk": f"p{p}", "sk": i, "v": i % 7, "pad": "x" * 700}
                    if i % 2 == 0:
                        item["g"] = f"g{i % 4}"
                    batch.put_item(Item=item)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    # boto3's own Scan paginator must see every item exactly once over many pages.
    def test_scan_paginator_returns_every_item_once(self):
        keys, pages = set(), 0
        for page in self.ddb.get_paginator("scan").paginate(TableName=self.table):
            pages += 1
            for item in page["Items"]:
                key = (item["pk"]["S"], item["sk"]["N"])
                self.assertNotIn(key, keys)
                keys.add(key)
        self.assertEqual(len(keys), 3000)
        self.assertGreater(pages, 1)

    # boto3's Query paginator in both directions, in numeric sort-key order.
    def test_query_paginator_orders_numerically(self):
        for forward in (True, False):
            values = []
            for page in self.ddb.get_paginator("query").paginate(
                    TableName=self.table, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}}, ScanIndexForward=forward,
                    PaginationConfig={"PageSize": 99}):
                values += [int(i["sk"]["N"]) for i in page["Items"]]
            self.assertEqual(values, sorted(range(1000), reverse=not forward))

    # The resource API builds expressions from Key()/Attr() objects.
    def test_resource_conditions(self):
        table = self.server.resource().Table(self.table)
        r = table.query(KeyConditionExpression=Key("pk").eq("p0") & Key("sk").between(10, 19),
                        FilterExpression=Attr("v").eq(3))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [10, 17])
        self.assertEqual(r["ScannedCount"], 10)

    # Legacy KeyConditions/QueryFilter, as old mappers send them.
    def test_legacy_key_conditions_and_filter(self):
        r = self.ddb.query(TableName=self.table,
                           KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p2"}]},
                                          "sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "20"}]}},
                           QueryFilter={"v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "0"}, {"N": "1"}]}})
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]], [0, 1, 7, 8, 14, 15])

    # A GSI returns only what it projects, and only items that have its key.
    def test_gsi_projection_and_sparseness(self):
        count = 0
        for page in self.ddb.get_paginator("query").paginate(
                TableName=self.table, IndexName="byg", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "g2"}}):
            for item in page["Items"]:
                self.assertEqual(set(item), {"pk", "sk", "g", "v"})
            count += page["Count"]
        self.assertEqual(count, 3 * 250)
        total = sum(p["Count"] for p in self.ddb.get_paginator("scan").paginate(TableName=self.table, IndexName="byg"))
        self.assertEqual(total, 1500)

    # The exact message boto3 surfaces for a key condition on a non-key attribute.
    def test_query_validation_message(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.query(TableName=self.table, KeyConditionExpression="v = :v",
                           ExpressionAttributeValues={":v": {"N": "1"}})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Query condition missed key schema element: pk")

    # boto3 exposes CancellationReasons on a cancelled transaction.
    def test_transaction_cancellation_reasons(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.table, "Key": {"pk": {"S": "p0"}, "sk": {"N": "1"}},
                                    "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": self.table, "Item": {"pk": {"S": "new"}, "sk": {"N": "1"}}}},
            ])
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(err["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]")
        self.assertEqual(err["CancellationReasons"],
                         [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}, {"Code": "None"}])
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "new"}, "sk": {"N": "1"}}))


if __name__ == "__main__":
    unittest.main()
