"""GetRecords throughput over HTTP with boto3's dynamodbstreams client.

Writes N items (BatchWriteItem, 25 at a time) to a table with a
NEW_AND_OLD_IMAGES stream on a fresh in-memory server, then reads the whole
shard with GetRecords (Limit 1000) and prints records per second.

    DYNAMO_EMU_BIN=build/server/dynamo-emu python3 bench/streams_get_records.py [N]
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e", "python"))
import harness  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with harness.Server() as server:
        ddb = server.client()
        streams = server._session(harness.ACCESS_KEY, harness.REGION).client(
            "dynamodbstreams", endpoint_url=server.endpoint)
        out = ddb.create_table(
            TableName="bench", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        arn = out["TableDescription"]["LatestStreamArn"]
        payload = "x" * 100
        for b in range(0, n, 25):
            ddb.batch_write_item(RequestItems={"bench": [
                {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "p": {"S": payload}}}}
                for i in range(b, min(n, b + 25))]})
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        read = 0
        start = time.perf_counter()
        while True:
            page = streams.get_records(ShardIterator=it, Limit=1000)
            if not page["Records"]:
                break
            read += len(page["Records"])
            it = page["NextShardIterator"]
        elapsed = time.perf_counter() - start
        print(f"GetRecords: {read} records in {elapsed:.3f} s = {read / elapsed:,.0f} records/s "
              f"(Limit 1000, ~120-byte items, NEW_AND_OLD_IMAGES, boto3 over HTTP)")


if __name__ == "__main__":
    main()
