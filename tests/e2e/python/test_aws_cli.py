"""The AWS CLI v2 (/usr/bin/aws) as a client."""

import json
import os
import subprocess
import unittest

try:
    from . import harness
except ImportError:
    import harness


@unittest.skipUnless(os.access(harness.AWS_CLI, os.X_OK), "AWS CLI v2 not installed at /usr/bin/aws")
class AwsCliTest(harness.ServerTestCase):
    def aws(self, *args, check=True):
        cmd = [harness.AWS_CLI, "dynamodb", *args, "--endpoint-url", self.server.endpoint,
               "--output", "json"]
        r = subprocess.run(cmd, env=harness.cli_env(), capture_output=True, text=True, timeout=60)
        if check:
            self.assertEqual(r.returncode, 0, f"{' '.join(args)}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def aws_json(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else {}

    # The CLI's full table and item life cycle works unmodified.
    def test_table_and_item_life_cycle(self):
        name = harness.unique_name("cli")
        created = self.aws_json(
            "create-table", "--table-name", name,
            "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST")
        self.assertEqual(created["TableDescription"]["TableName"], name)
        self.assertEqual(created["TableDescription"]["TableStatus"], "ACTIVE")

        item = {"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": "AAEC/w=="},
                "m": {"M": {"l": {"L": [{"SS": ["x", "y"]}, {"NULL": True}]}}}}
        put = self.aws_json("put-item", "--table-name", name, "--item", json.dumps(item),
                            "--return-consumed-capacity", "TOTAL")
        self.assertEqual(put["ConsumedCapacity"], {"TableName": name, "CapacityUnits": 1.0})

        got = self.aws_json("get-item", "--table-name", name, "--key", '{"pk":{"S":"a"}}',
                            "--consistent-read")
        expected = dict(item, n={"N": "1.5"})
        got["Item"]["m"]["M"]["l"]["L"][0]["SS"].sort()
        self.assertEqual(got["Item"], expected)

        self.assertIn(name, self.aws_json("list-tables")["TableNames"])

        deleted = self.aws_json("delete-table", "--table-name", name)
        self.assertEqual(deleted["TableDescription"]["TableStatus"], "DELETING")
        self.assertNotIn(name, self.aws_json("list-tables")["TableNames"])

    # CLI errors: non-zero exit and the DynamoDB error name and message on stderr.
    def test_get_item_on_missing_table(self):
        r = self.aws("get-item", "--table-name", harness.unique_name("missing"),
                     "--key", '{"pk":{"S":"a"}}', check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)
        self.assertIn("Requested resource not found", r.stderr)
        self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    unittest.main()
