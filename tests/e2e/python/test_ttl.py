"""Time to Live and stream shard lineage through boto3's dynamodb and dynamodbstreams clients.

Expiry is made deterministic by a server started with --sweep-interval 0 and
the emulator's control API (POST /_emu/ttl/sweep, GET /_emu/clock).
"""

import unittest

import requests
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

SERVICE = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def streams_client(server):
    return server._session(harness.ACCESS_KEY, harness.REGION).client(
        "dynamodbstreams", endpoint_url=server.endpoint
    )


def control(server, path, body=None):
    """GET (no body) or POST (a JSON body) to the control API; the answer's JSON."""
    url = server.endpoint + path
    r = requests.get(url, timeout=10) if body is None else requests.post(url, json=body, timeout=30)
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
    return r.json()


class TtlTest(harness.ServerTestCase):
    server_args = ("--sweep-interval", "0")  # expiry only when a test sweeps

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.streams = streams_client(cls.server)

    def sweep(self):
        return control(self.server, "/_emu/ttl/sweep", {})["DeletedItems"]

    def now(self):
        return int(control(self.server, "/_emu/clock")["Now"])

    def set_ttl(self, table, enabled, attribute):
        return self.ddb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute},
        )

    def describe_ttl(self, table):
        return self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]

    def assertValidation(self, message, call, *args):
        with self.assertRaises(ClientError) as ctx:
            call(*args)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), ("ValidationException", message))
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    # The settings take effect at once and the update echoes its specification; refusals carry DynamoDB's messages.
    def test_enable_describe_disable_and_refusals(self):
        name = harness.unique_name("ttl")
        harness.create_table(self.ddb, name)
        self.assertEqual(self.describe_ttl(name), {"TimeToLiveStatus": "DISABLED"})
        self.assertValidation("TimeToLive is already disabled", self.set_ttl, name, False, "exp")

        out = self.set_ttl(name, True, "exp")
        self.assertEqual(out["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(self.describe_ttl(name), {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})

        different = "TimeToLive is active on a different AttributeName: current AttributeName is exp"
        for why, enabled, attribute, message in [
            ("the same attribute again", True, "exp", "TimeToLive is already enabled"),
            ("another attribute", True, "other", different),
            ("disabling naming another attribute", False, "other", different),
        ]:
            with self.subTest(why):
                self.assertValidation(message, self.set_ttl, name, enabled, attribute)
        self.assertEqual(self.describe_ttl(name), {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})

        out = self.set_ttl(name, False, "exp")
        self.assertEqual(out["TimeToLiveSpecification"], {"Enabled": False, "AttributeName": "exp"})
        self.assertEqual(self.describe_ttl(name), {"TimeToLiveStatus": "DISABLED"})
        self.assertValidation("TimeToLive is already disabled", self.set_ttl, name, False, "exp")

        with self.assertRaises(ClientError) as ctx:
            self.describe_ttl("ttl-no-such-table")
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (
            "ResourceNotFoundException", "Requested resource not found: Table: ttl-no-such-table not found"))

    # A sweep deletes expired items from the table and its GSI, and writes REMOVE records made by the service.
    def test_expired_items_leave_table_and_gsi_with_a_service_remove_record(self):
        name = harness.unique_name("ttl")
        out = self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        arn = out["TableDescription"]["LatestStreamArn"]
        self.set_ttl(name, True, "exp")
        now = self.now()
        items = {
            "expired": {"N": str(now - 60)},
            "future": {"N": str(now + 3600)},
            "string": {"S": str(now - 60)},
            "six-years": {"N": str(now - 6 * 366 * 86400)},
            "deleted": {"N": str(now - 60)},
        }
        for pk, exp in items.items():
            self.ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "g": {"S": "G"}, "exp": exp})
        self.ddb.delete_item(TableName=name, Key={"pk": {"S": "deleted"}})

        # Expired, but no sweep yet: still there.
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "expired"}})
        self.assertEqual(got["Item"]["exp"], items["expired"])

        self.assertEqual(self.sweep(), 1)
        kept = ["future", "six-years", "string"]
        scanned = self.ddb.scan(TableName=name)["Items"]
        self.assertEqual(sorted(i["pk"]["S"] for i in scanned), kept)
        index = self.ddb.query(TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
                               ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
        self.assertEqual(sorted(i["pk"]["S"] for i in index), kept)
        self.assertNotIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "expired"}}))
        self.assertEqual(self.sweep(), 0)

        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = self.streams.get_records(ShardIterator=it)["Records"]
        removes = [r for r in records if r["eventName"] == "REMOVE"]
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in removes], ["deleted", "expired"])
        by_user, by_ttl = removes
        self.assertNotIn("userIdentity", by_user)
        self.assertEqual(by_ttl["userIdentity"], SERVICE)
        self.assertEqual(by_ttl["dynamodb"]["Keys"], {"pk": {"S": "expired"}})
        self.assertEqual(by_ttl["dynamodb"]["OldImage"],
                         {"pk": {"S": "expired"}, "g": {"S": "G"}, "exp": items["expired"]})
        self.assertNotIn("NewImage", by_ttl["dynamodb"])
        self.assertEqual(by_ttl["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        # Same-sized items ("expired" and "deleted" are both 7 characters, exp the same number).
        self.assertGreater(by_ttl["dynamodb"]["SizeBytes"], 0)
        self.assertEqual(by_ttl["dynamodb"]["SizeBytes"], by_user["dynamodb"]["SizeBytes"])
        self.assertEqual(sum(1 for r in records if "userIdentity" in r), 1)

    # The emulator's clock decides expiry: a future item goes at the first sweep after the clock passes it.
    def test_advancing_the_clock_expires_future_items(self):
        # Its own server: moving the clock must not disturb the other tests.
        with harness.Server("--sweep-interval", "0") as server:
            ddb = server.client()
            name = harness.unique_name("ttl")
            harness.create_table(ddb, name)
            ddb.update_time_to_live(TableName=name,
                                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
            now = int(control(server, "/_emu/clock")["Now"])
            ddb.put_item(TableName=name, Item={"pk": {"S": "hour"}, "exp": {"N": str(now + 3600)}})
            self.assertEqual(control(server, "/_emu/ttl/sweep", {})["DeletedItems"], 0)
            moved = control(server, "/_emu/clock", {"AdvanceSeconds": 3700})
            self.assertEqual(moved["OffsetSeconds"], 3700)
            self.assertEqual(control(server, "/_emu/ttl/sweep", {})["DeletedItems"], 1)
            self.assertEqual(ddb.scan(TableName=name)["Count"], 0)


class StreamClockTest(unittest.TestCase):
    """Iterator expiry and 24-hour trimming through boto3, with the emulator's clock moved."""

    def test_iterators_expire_and_records_are_trimmed(self):
        with harness.Server("--sweep-interval", "0") as server:
            ddb = server.client()
            streams = streams_client(server)
            name = harness.unique_name("trim")
            out = ddb.create_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
            )
            arn = out["TableDescription"]["LatestStreamArn"]
            ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
            shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            first = streams.get_records(ShardIterator=streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
            old_seq = first["Records"][0]["dynamodb"]["SequenceNumber"]
            stale = first["NextShardIterator"]

            control(server, "/_emu/clock", {"AdvanceSeconds": 16 * 60})
            with self.assertRaises(ClientError) as ctx:
                streams.get_records(ShardIterator=stale)
            self.assertEqual(ctx.exception.response["Error"],
                             {"Code": "ExpiredIteratorException", "Message": "Iterator expired"})

            ddb.put_item(TableName=name, Item={"pk": {"S": "new"}})
            control(server, "/_emu/clock", {"AdvanceSeconds": 24 * 3600 - 10 * 60})
            control(server, "/_emu/streams/maintain", {})
            trimmed = {"Code": "TrimmedDataAccessException",
                       "Message": "The data you are trying to access has been trimmed"}
            for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
                with self.subTest(kind=kind):
                    if kind == "AFTER_SEQUENCE_NUMBER":
                        # After the trimmed record is where the kept ones begin.
                        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                        ShardIteratorType=kind,
                                                        SequenceNumber=old_seq)["ShardIterator"]
                        keys = [r["dynamodb"]["Keys"]["pk"]["S"]
                                for r in streams.get_records(ShardIterator=it)["Records"]]
                        self.assertEqual(keys, ["new"])
                        continue
                    with self.assertRaises(ClientError) as ctx:
                        streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                   ShardIteratorType=kind, SequenceNumber=old_seq)
                    self.assertEqual(ctx.exception.response["Error"], trimmed)
            horizon = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"]
                              for r in streams.get_records(ShardIterator=horizon)["Records"]], ["new"])


class ShardLineageTest(harness.ServerTestCase):
    server_args = ("--stream-shard-records", "4")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.streams = streams_client(cls.server)

    def read_shard(self, arn, shard):
        """Every record of one shard: a closed shard until NextShardIterator is absent, an open one until a page is empty."""
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(1000):
            page = self.streams.get_records(ShardIterator=it, Limit=3)
            records += page["Records"]
            if closed and "NextShardIterator" not in page:
                return records
            if not closed and not page["Records"]:
                self.assertIn("NextShardIterator", page)
                return records
            it = page["NextShardIterator"]
        self.fail(f"shard {shard['ShardId']} never ended")

    def consume(self, arn):
        """Reads shards parents first, describing the stream again after each round, as a KCL consumer does."""
        done, records, per_shard = set(), [], {}
        while True:
            shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
            present = {s["ShardId"] for s in shards}
            ready = [s for s in shards if s["ShardId"] not in done and (
                "ParentShardId" not in s or s["ParentShardId"] not in present
                or s["ParentShardId"] in done)]
            if not ready:
                return records, per_shard
            for shard in ready:
                got = self.read_shard(arn, shard)
                records += got
                per_shard[shard["ShardId"]] = got
                done.add(shard["ShardId"])

    # --stream-shard-records 4 rolls the shard every 4 records; following lineage reads all 22 records once, in order.
    def test_consumer_follows_shard_lineage(self):
        name = harness.unique_name("lineage")
        out = self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        arn = out["TableDescription"]["LatestStreamArn"]
        keys = [f"k{i:02d}" for i in range(22)]
        for k in keys:
            self.ddb.put_item(TableName=name, Item={"pk": {"S": k}, "v": {"N": k[1:]}})

        records, per_shard = self.consume(arn)
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in records], keys)
        self.assertEqual([r["eventName"] for r in records], ["INSERT"] * 22)
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        self.assertEqual(seqs, sorted(set(seqs)))

        shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        self.assertEqual([len(per_shard[s["ShardId"]]) for s in shards], [4, 4, 4, 4, 4, 2])
        for i, shard in enumerate(shards):
            with self.subTest(shard=i):
                rng = shard["SequenceNumberRange"]
                if i == 0:
                    self.assertNotIn("ParentShardId", shard)
                else:
                    self.assertEqual(shard["ParentShardId"], shards[i - 1]["ShardId"])
                    self.assertGreater(int(rng["StartingSequenceNumber"]),
                                       int(shards[i - 1]["SequenceNumberRange"]["EndingSequenceNumber"]))
                self.assertEqual("EndingSequenceNumber" in rng, i < len(shards) - 1)
                for r in per_shard[shard["ShardId"]]:
                    seq = int(r["dynamodb"]["SequenceNumber"])
                    self.assertGreaterEqual(seq, int(rng["StartingSequenceNumber"]))
                    if "EndingSequenceNumber" in rng:
                        self.assertLessEqual(seq, int(rng["EndingSequenceNumber"]))


if __name__ == "__main__":
    unittest.main()
