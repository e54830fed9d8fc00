"""DynamoDB Streams through boto3's dynamodbstreams client."""

import unittest

import requests
from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness


class StreamsTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.streams = cls.server._session(harness.ACCESS_KEY, harness.REGION).client(
            "dynamodbstreams", endpoint_url=cls.server.endpoint
        )

    def stream_table(self, view_type):
        name = harness.unique_name("str")
        out = self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        )
        return name, out["TableDescription"]["LatestStreamArn"]

    def read_all(self, arn, iterator_type="TRIM_HORIZON"):
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=iterator_type
        )["ShardIterator"]
        records = []
        while it:
            page = self.streams.get_records(ShardIterator=it, Limit=2)
            records += page["Records"]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
        return records

    def test_records_of_each_operation_with_a_composite_key(self):
        name, arn = self.stream_table("NEW_AND_OLD_IMAGES")
        key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
        self.ddb.put_item(TableName=name, Item={**key, "n": {"N": "10"}})
        self.ddb.update_item(TableName=name, Key=key, UpdateExpression="ADD n :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})
        self.ddb.update_item(TableName=name, Key=key, UpdateExpression="SET n = n")  # no change
        self.ddb.delete_item(TableName=name, Key=key)
        records = self.read_all(arn)
        self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"])
        for r in records:
            self.assertEqual(r["dynamodb"]["Keys"], key)
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["eventVersion"], "1.1")
            self.assertEqual(r["awsRegion"], harness.REGION)
        self.assertEqual(records[1]["dynamodb"]["OldImage"]["n"], {"N": "10"})
        self.assertEqual(records[1]["dynamodb"]["NewImage"]["n"], {"N": "11"})
        self.assertNotIn("NewImage", records[2]["dynamodb"])
        description = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(description["StreamStatus"], "ENABLED")
        self.assertEqual(description["TableName"], name)
        self.assertEqual(description["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                                    {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertNotIn("EndingSequenceNumber", description["Shards"][0]["SequenceNumberRange"])

    def test_streams_operations_answer_only_under_their_own_target(self):
        for target in ("DynamoDB_20120810.DynamoDBStreams.ListStreams",
                       "DynamoDB_20120810.ListStreams",
                       "DynamoDBStreams_20120810.ListTables"):
            r = requests.post(self.server.endpoint + "/", data="{}", timeout=10, headers={
                **harness.fake_auth_headers(), "X-Amz-Target": target,
                "Content-Type": "application/x-amz-json-1.0"})
            self.assertEqual(r.status_code, 400, target)
            self.assertEqual(r.json()["__type"],
                             "com.amazon.coral.service#UnknownOperationException", target)
        r = requests.post(self.server.endpoint + "/", data="{}", timeout=10, headers={
            **harness.fake_auth_headers(), "X-Amz-Target": "DynamoDBStreams_20120810.ListStreams",
            "Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("Streams", r.json())

    def test_unknown_stream(self):
        arn = f"arn:aws:dynamodb:{harness.REGION}:000000000000:table/nope/stream/2026-01-01T00:00:00.000"
        with self.assertRaises(ClientError) as ctx:
            self.streams.describe_stream(StreamArn=arn)
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], f"Requested resource not found: Stream: {arn} not found")
        self.assertEqual(self.streams.list_streams(TableName="nope")["Streams"], [])


if __name__ == "__main__":
    unittest.main()
