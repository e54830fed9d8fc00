"""boto3 (client and resource APIs) against a live server: tables and items."""

import time
import unittest
from decimal import Decimal

from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

ALL_BYTES = bytes(range(256))
# PutItem, UpdateItem and DeleteItem report each check of the request itself,
# values included, inside this envelope (DynamoDB, 2026-10-09).
ENVELOPE = "1 validation error detected: "
N38 = "12345678901234567890123456789012345678"


def set_normalised(value):
    """AttributeValue with set members sorted (DynamoDB does not promise set order)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "NS", "BS"):
                out[k] = sorted(v)
            else:
                out[k] = set_normalised(v)
        return out
    if isinstance(value, list):
        return [set_normalised(v) for v in value]
    return value


class TableApiTest(harness.ServerTestCase):
    def assertError(self, ctx, code, message, status=400):
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code)
        self.assertEqual(err["Message"], message)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    # CreateTable answers with an ACTIVE description that echoes the schema.
    def test_create_table_returns_active_description(self):
        name = harness.unique_name()
        desc = harness.create_table(self.ddb, name, range_key=("sk", "N"))["TableDescription"]
        self.assertEqual(desc["TableName"], name)
        self.assertEqual(desc["TableStatus"], "ACTIVE")
        self.assertEqual(
            desc["KeySchema"],
            [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        self.assertEqual(
            sorted(desc["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
            [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        )
        self.assertEqual(desc["ItemCount"], 0)
        self.assertEqual(desc["TableSizeBytes"], 0)
        self.assertEqual(desc["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertTrue(desc["TableArn"].startswith("arn:aws:dynamodb:us-east-1:"), desc["TableArn"])
        self.assertTrue(desc["TableArn"].endswith(":table/" + name), desc["TableArn"])

    # DescribeTable returns the same table CreateTable made.
    def test_describe_table_matches_create(self):
        name = harness.unique_name()
        created = harness.create_table(self.ddb, name, billing="PROVISIONED")["TableDescription"]
        table = self.ddb.describe_table(TableName=name)["Table"]
        for field in ("TableName", "TableArn", "TableId", "KeySchema", "AttributeDefinitions",
                      "CreationDateTime", "TableStatus"):
            self.assertEqual(table[field], created[field], field)
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(table["ProvisionedThroughput"]["WriteCapacityUnits"], 5)

    # Creating a table that exists is ResourceInUseException, not an overwrite.
    def test_create_existing_table_is_resource_in_use(self):
        name = harness.unique_name()
        harness.create_table(self.ddb, name)
        with self.assertRaises(ClientError) as ctx:
            harness.create_table(self.ddb, name)
        self.assertError(ctx, "ResourceInUseException", "Table already exists: " + name)

    # Control-plane not-found errors name the table.
    def test_describe_missing_table(self):
        name = harness.unique_name("missing")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.describe_table(TableName=name)
        self.assertError(ctx, "ResourceNotFoundException",
                         f"Requested resource not found: Table: {name} not found")

    # CreateTable keeps the 3-character minimum on table names.
    def test_create_table_name_too_short(self):
        with self.assertRaises(ClientError) as ctx:
            harness.create_table(self.ddb, "ab")
        self.assertError(
            ctx, "ValidationException",
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3")

    # ListTables is sorted and pages with Limit / ExclusiveStartTableName.
    def test_list_tables_sorted_and_paginated(self):
        # A private namespace (its own access key) so other tests' tables don't interfere.
        ddb = self.server.client(access_key=harness.unique_name("AKIDLIST").replace("-", ""))
        names = sorted(f"list-{i}-{harness.unique_name()}" for i in range(5))
        for n in reversed(names):
            harness.create_table(ddb, n)
        self.assertEqual(ddb.list_tables()["TableNames"], names)
        page1 = ddb.list_tables(Limit=2)
        self.assertEqual(page1["TableNames"], names[:2])
        self.assertEqual(page1["LastEvaluatedTableName"], names[1])
        page2 = ddb.list_tables(Limit=2, ExclusiveStartTableName=page1["LastEvaluatedTableName"])
        self.assertEqual(page2["TableNames"], names[2:4])
        # The paginator walks every page.
        seen = []
        for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
            seen += page["TableNames"]
        self.assertEqual(seen, names)

    # UpdateTable switches billing mode and the new throughput shows in DescribeTable.
    def test_update_table_throughput(self):
        name = harness.unique_name()
        harness.create_table(self.ddb, name)
        out = self.ddb.update_table(
            TableName=name, BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        )["TableDescription"]
        self.assertEqual(out["TableName"], name)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PROVISIONED")
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 3)
        self.assertEqual(table["ProvisionedThroughput"]["WriteCapacityUnits"], 4)

    # UpdateTable with nothing to change is rejected with AWS's long message.
    def test_update_table_with_no_change(self):
        name = harness.unique_name()
        harness.create_table(self.ddb, name)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName=name)
        self.assertError(
            ctx, "ValidationException",
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
            "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
            "OnDemandThroughput, WarmThroughput or TableClass is required")

    # DeleteTable answers DELETING, then the table is gone from Describe and List.
    def test_delete_table(self):
        name = harness.unique_name()
        harness.create_table(self.ddb, name)
        desc = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(desc["TableName"], name)
        self.assertEqual(desc["TableStatus"], "DELETING")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.describe_table(TableName=name)
        self.assertError(ctx, "ResourceNotFoundException",
                         f"Requested resource not found: Table: {name} not found")
        self.assertNotIn(name, self.ddb.list_tables()["TableNames"])
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_table(TableName=name)
        self.assertError(ctx, "ResourceNotFoundException",
                         f"Requested resource not found: Table: {name} not found")

    # Tables are ACTIVE at once, so the waiters must not poll (each poll sleeps 20 s).
    def test_waiters_return_at_once(self):
        name = harness.unique_name()
        harness.create_table(self.ddb, name)
        start = time.monotonic()
        self.ddb.get_waiter("table_exists").wait(TableName=name)
        self.ddb.delete_table(TableName=name)
        self.ddb.get_waiter("table_not_exists").wait(TableName=name)
        self.assertLess(time.monotonic() - start, 2.0)


class ItemApiTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = harness.unique_name("items")
        harness.create_table(cls.ddb, cls.table)
        cls.composite = harness.unique_name("items2")
        harness.create_table(cls.ddb, cls.composite, hash_key=("h", "B"), range_key=("r", "N"))

    def assertError(self, ctx, code, message):
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def key(self, pk):
        return {"pk": {"S": pk}}

    # Every AttributeValue type survives Put then Get unchanged, byte for byte.
    def test_round_trip_every_type(self):
        pk = harness.unique_name("k")
        item = {
            "pk": {"S": pk},
            "s": {"S": "h\u00e9llo \u4e16\u754c \U0001F600 nul:\u0000 end"},
            "s_empty": {"S": ""},
            "n38": {"N": N38},
            "n38neg": {"N": "-0.12345678901234567890123456789012345678"},
            "nbig": {"N": "9" * 38 + "0" * 88},
            "nsmall": {"N": "0." + "0" * 129 + "1"},
            "b": {"B": ALL_BYTES},
            "b_empty": {"B": b""},
            "bool_t": {"BOOL": True},
            "bool_f": {"BOOL": False},
            "null": {"NULL": True},
            "ss": {"SS": ["a", "b", "\u00e9", ""]},
            "ns": {"NS": ["1", "-2.5", N38, "0.001"]},
            "bs": {"BS": [bytes([i]) for i in range(256)] + [ALL_BYTES]},
            "l_empty": {"L": []},
            "m_empty": {"M": {}},
            "nested": {"M": {
                "list": {"L": [
                    {"S": "x"}, {"N": "1"}, {"B": b"\x00\xff"}, {"NULL": True},
                    {"L": [{"M": {"deep": {"SS": ["q"]}}}]},
                ]},
                "map": {"M": {"n": {"N": "-7"}, "bs": {"BS": [b"\x01", b"\x02"]}}},
            }},
        }
        self.ddb.put_item(TableName=self.table, Item=item)
        got = self.ddb.get_item(TableName=self.table, Key=self.key(pk), ConsistentRead=True)
        self.assertEqual(set_normalised(got["Item"]), set_normalised(item))
        self.assertEqual(got["Item"]["b"]["B"], ALL_BYTES)
        self.assertEqual(got["Item"]["n38"]["N"], N38)

    # Numbers come back in DynamoDB's canonical plain-decimal form.
    def test_numbers_are_canonicalised(self):
        pk = harness.unique_name("k")
        cases = {
            "a": ("1.50", "1.5"), "b": ("-00.0", "0"), "c": ("+1.50e2", "150"), "d": ("1E-3", "0.001"),
            "e": ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
            "f": ("1E-130", "0." + "0" * 129 + "1"), "g": ("007", "7"), "h": (".5", "0.5"),
        }
        item = {"pk": {"S": pk}}
        item.update({k: {"N": v[0]} for k, v in cases.items()})
        self.ddb.put_item(TableName=self.table, Item=item)
        got = self.ddb.get_item(TableName=self.table, Key=self.key(pk))["Item"]
        self.assertEqual({k: got[k]["N"] for k in cases}, {k: v[1] for k, v in cases.items()})

    # Binary and number key attributes work, and number keys match by value.
    def test_binary_hash_number_range_key(self):
        item = {"h": {"B": ALL_BYTES}, "r": {"N": "1000"}, "v": {"S": "found"}}
        self.ddb.put_item(TableName=self.composite, Item=item)
        for spelling in ("1000", "1e3", "1E+3", "1000.0", "001000"):
            got = self.ddb.get_item(TableName=self.composite,
                                    Key={"h": {"B": ALL_BYTES}, "r": {"N": spelling}})
            self.assertEqual(got.get("Item"), item, spelling)

    # A missing item is an empty response, not an error.
    def test_get_missing_item(self):
        got = self.ddb.get_item(TableName=self.table, Key=self.key(harness.unique_name("none")))
        self.assertNotIn("Item", got)

    # DeleteItem removes the item and ALL_OLD returns what was deleted.
    def test_delete_item_returns_all_old(self):
        pk = harness.unique_name("k")
        item = {"pk": {"S": pk}, "v": {"N": "1"}, "b": {"B": ALL_BYTES}}
        self.ddb.put_item(TableName=self.table, Item=item)
        out = self.ddb.delete_item(TableName=self.table, Key=self.key(pk), ReturnValues="ALL_OLD")
        self.assertEqual(out["Attributes"], item)
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key=self.key(pk)))
        # Deleting again is not an error, and there is nothing old to return.
        out = self.ddb.delete_item(TableName=self.table, Key=self.key(pk), ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", out)

    # PutItem ALL_OLD returns the replaced item, and nothing on a fresh put.
    def test_put_item_returns_all_old(self):
        pk = harness.unique_name("k")
        first = {"pk": {"S": pk}, "v": {"S": "one"}}
        out = self.ddb.put_item(TableName=self.table, Item=first, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", out)
        second = {"pk": {"S": pk}, "w": {"S": "two"}}
        out = self.ddb.put_item(TableName=self.table, Item=second, ReturnValues="ALL_OLD")
        self.assertEqual(out["Attributes"], first)
        # Put replaces the whole item; it does not merge.
        self.assertEqual(self.ddb.get_item(TableName=self.table, Key=self.key(pk))["Item"], second)

    # PutItem/DeleteItem accept only ALL_OLD or NONE as ReturnValues.
    def test_return_values_all_new_rejected(self):
        with self.assertRaises(ClientError) as ctx:
            self.ddb.put_item(TableName=self.table, Item=self.key("x"), ReturnValues="ALL_NEW")
        self.assertError(ctx, "ValidationException", ENVELOPE + "ReturnValues can only be ALL_OLD or NONE")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_item(TableName=self.table, Key=self.key("x"), ReturnValues="UPDATED_NEW")
        self.assertError(ctx, "ValidationException", ENVELOPE + "ReturnValues can only be ALL_OLD or NONE")

    # ConsumedCapacity follows DynamoDB's rounding, and only when asked for.
    def test_consumed_capacity(self):
        pk = harness.unique_name("k")
        # Item size = len("pk") + len(pk) + len("d") + len(value).
        base = 2 + len(pk) + 1

        def put(size):
            return self.ddb.put_item(TableName=self.table, ReturnConsumedCapacity="TOTAL",
                                     Item={"pk": {"S": pk}, "d": {"S": "x" * (size - base)}})

        def cap(resp):
            return resp["ConsumedCapacity"]["CapacityUnits"]

        self.assertEqual(put(1024)["ConsumedCapacity"], {"TableName": self.table, "CapacityUnits": 1.0})
        # Overwriting 1024 bytes with 1025: max(new, old) rounded up to KB.
        self.assertEqual(cap(put(1025)), 2.0)
        put(4096)
        get = self.ddb.get_item(TableName=self.table, Key=self.key(pk), ConsistentRead=True,
                                ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cap(get), 1.0)
        get = self.ddb.get_item(TableName=self.table, Key=self.key(pk), ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cap(get), 0.5)
        put(4097)
        get = self.ddb.get_item(TableName=self.table, Key=self.key(pk), ConsistentRead=True,
                                ReturnConsumedCapacity="INDEXES")
        self.assertEqual(get["ConsumedCapacity"],
                         {"TableName": self.table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}})
        # A missing item still costs the minimum.
        miss = self.ddb.get_item(TableName=self.table, Key=self.key(pk + "-none"),
                                 ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cap(miss), 0.5)
        # NONE (or absent) means no ConsumedCapacity field at all.
        none = self.ddb.get_item(TableName=self.table, Key=self.key(pk), ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", none)
        dele = self.ddb.delete_item(TableName=self.table, Key=self.key(pk), ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cap(dele), 5.0)  # ceil(4097 / 1024)

    # Item-level errors carry DynamoDB's exact codes and messages.
    def test_item_errors(self):
        cases = [
            (dict(TableName=harness.unique_name("missing"), Item=self.key("a")), "put",
             "ResourceNotFoundException", "Requested resource not found"),
            (dict(TableName=self.table, Item={"x": {"S": "a"}}), "put", "ValidationException",
             "One or more parameter values were invalid: Missing the key pk in the item"),
            (dict(TableName=self.table, Item={"pk": {"N": "1"}}), "put", "ValidationException",
             "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
            (dict(TableName=self.table, Key={"pk": {"N": "1"}}), "get", "ValidationException",
             "The provided key element does not match the schema"),
            (dict(TableName=self.table, Key={"pk": {"S": "a"}, "x": {"S": "b"}}), "get",
             "ValidationException", "The provided key element does not match the schema"),
            (dict(TableName=self.table, Item={"pk": {"S": "a"}, "d": {"S": "x" * 409600}}), "put",
             "ValidationException", "Item size has exceeded the maximum allowed size"),
            (dict(TableName=self.table, Item={"pk": {"S": "a"}, "d": {"N": "1" * 39}}), "put",
             "ValidationException",
             ENVELOPE + "Attempting to store more than 38 significant digits in a Number"),
            (dict(TableName=self.table, Item={"pk": {"S": "a"}, "d": {"N": "1e126"}}), "put",
             "ValidationException",
             ENVELOPE + "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            (dict(TableName=self.table, Item={"pk": {"S": "a"}, "d": {"NULL": False}}), "put",
             "ValidationException",
             ENVELOPE + "One or more parameter values were invalid: Null attribute value types must have the value of true"),
            (dict(TableName=self.table, Item={"pk": {"S": "a"}, "d": {"SS": []}}), "put",
             "ValidationException",
             ENVELOPE + "One or more parameter values were invalid: An string set  may not be empty"),
            # GetItem runs the same checks without the envelope.
            (dict(TableName=self.table, Key={"pk": {"SS": ["b", "a", "b"]}}), "get", "ValidationException",
             'One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.'),
        ]
        ops = {"put": self.ddb.put_item, "get": self.ddb.get_item}
        for kwargs, op, code, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(ClientError) as ctx:
                    ops[op](**kwargs)
                self.assertError(ctx, code, message)

    # DynamoDB checks values in one of two layers, chosen by the operation: the
    # current one (single-item operations, enveloped for writes) quotes and
    # sorts a duplicate set and keeps ": " after an empty number; the older one
    # (BatchWriteItem, transactions, Scan) lists the set as sent, drops the
    # ": " and wraps an expression value's error with its placeholder.
    def test_value_errors_by_layer(self):
        dupe = {"SS": ["b", "a", "b"]}
        current_dupe = 'One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.'
        older_dupe = "One or more parameter values were invalid: Input collection [b, a, b] contains duplicates."
        cases = [
            (lambda: self.ddb.put_item(TableName=self.table, Item=self.key("v"),
                                       ConditionExpression="s = :t", ExpressionAttributeValues={":t": dupe}),
             ENVELOPE + current_dupe),
            (lambda: self.ddb.update_item(TableName=self.table, Key=self.key("v"),
                                          AttributeUpdates={"n": {"Action": "PUT", "Value": {"N": ""}}}),
             ENVELOPE + "The parameter cannot be converted to a numeric value: "),
            (lambda: self.ddb.delete_item(TableName=self.table, Key={"pk": {"N": "1e2147483647"}}),
             ENVELOPE + "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            (lambda: self.ddb.query(TableName=self.table, KeyConditionExpression="pk = :p",
                                    FilterExpression="s = :t", ExpressionAttributeValues={":p": {"S": "v"}, ":t": dupe}),
             current_dupe),
            (lambda: self.ddb.batch_write_item(RequestItems={self.table: [
                {"PutRequest": {"Item": {"pk": {"S": "v"}, "n": {"N": "1e2147483647"}}}}]}),
             "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
            (lambda: self.ddb.batch_write_item(RequestItems={self.table: [{"DeleteRequest": {"Key": {"pk": dupe}}}]}),
             older_dupe),
            (lambda: self.ddb.scan(TableName=self.table, FilterExpression="n = :v",
                                   ExpressionAttributeValues={":v": {"N": ""}}),
             "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value for key :v"),
        ]
        for send, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(ClientError) as ctx:
                    send()
                self.assertError(ctx, "ValidationException", message)

    # An item of exactly 400 KB (409600 bytes) is accepted; one byte more is not.
    def test_item_size_limit_boundary(self):
        pk = harness.unique_name("k")
        base = 2 + len(pk) + 1
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": pk}, "d": {"S": "x" * (409600 - base)}})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.put_item(TableName=self.table,
                              Item={"pk": {"S": pk}, "d": {"S": "x" * (409601 - base)}})
        self.assertError(ctx, "ValidationException", "Item size has exceeded the maximum allowed size")

    # Values nest up to level 32 (the attribute is level 1): 31 maps around a
    # scalar are stored, 32 are refused (DynamoDB, eu-west-2, 2026-06).
    def test_nesting_depth_limit(self):
        def nest(levels):
            v = {"S": "leaf"}
            for _ in range(levels):
                v = {"M": {"a": v}}
            return v
        pk = harness.unique_name("k")
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": pk}, "d": nest(31)})
        got = self.ddb.get_item(TableName=self.table, Key=self.key(pk))["Item"]
        self.assertEqual(got["d"], nest(31))
        with self.assertRaises(ClientError) as ctx:
            self.ddb.put_item(TableName=self.table, Item={"pk": {"S": pk}, "d": nest(32)})
        self.assertError(
            ctx, "ValidationException",
            ENVELOPE + "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit")


class ResourceApiTest(harness.ServerTestCase):
    # The high-level Table resource maps Python types (Decimal, set, Binary) both ways.
    def test_table_resource_with_decimals(self):
        name = harness.unique_name("res")
        dynamodb = self.server.resource()
        table = dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"},
                       {"AttributeName": "seq", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "seq", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table.wait_until_exists()
        self.assertEqual(table.table_status, "ACTIVE")
        item = {
            "id": "user#1",
            "seq": Decimal(N38),
            "price": Decimal("19.99"),
            "tiny": Decimal("-1E-130"),
            "count": Decimal(0),
            "tags": {"a", "b"},
            "scores": {Decimal("1.5"), Decimal("2")},
            "blob": Binary(ALL_BYTES),
            "blobs": {Binary(b"\x00"), Binary(b"\xff")},
            "doc": {"nested": [Decimal("1"), "two", None, True, {"x": Decimal("3.25")}]},
        }
        table.put_item(Item=item)
        got = table.get_item(Key={"id": "user#1", "seq": Decimal(N38)}, ConsistentRead=True)["Item"]
        self.assertEqual(got, item)
        self.assertIsInstance(got["price"], Decimal)
        self.assertEqual(str(got["price"]), "19.99")
        self.assertEqual(got["blob"].value, ALL_BYTES)
        old = table.delete_item(Key={"id": "user#1", "seq": Decimal(N38)}, ReturnValues="ALL_OLD")
        self.assertEqual(old["Attributes"], item)
        self.assertNotIn("Item", table.get_item(Key={"id": "user#1", "seq": Decimal(N38)}))
        table.delete()
        table.wait_until_not_exists()


if __name__ == "__main__":
    unittest.main()
