"""Tags and the table settings infrastructure tools read on every plan, through boto3:
TagResource / UntagResource / ListTagsOfResource by table ARN (with tags given at CreateTable),
point-in-time recovery, Contributor Insights, Kinesis destinations, and the operations the
emulator lacks answering UnknownOperationException by name.
"""

import datetime
import unittest

from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness


class TagsTest(harness.ServerTestCase):
    def make_table(self, **extra):
        name = harness.unique_name("tags")
        arn = self.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra,
        )["TableDescription"]["TableArn"]
        return name, arn

    def assertError(self, code, message, call, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))

    # Tags from CreateTable, added (a key given again takes its new value), listed and removed.
    def test_tag_untag_list(self):
        _, arn = self.make_table(Tags=[{"Key": "owner", "Value": "me"}])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "owner", "Value": "me"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "ci"},
                                                      {"Key": "owner", "Value": "you"}])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "owner", "Value": "you"}, {"Key": "env", "Value": "ci"}])
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["owner", "absent"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "env", "Value": "ci"}])
        _, untagged = self.make_table()
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=untagged)["Tags"], [])

    def test_tag_refusals(self):
        _, arn = self.make_table()
        missing = arn.rsplit("/", 1)[0] + "/" + harness.unique_name("missing")
        cases = [
            ("ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:x",
             dict(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}])),
            ("ValidationException", "The Tag Value provided is invalid, Value: " + "v" * 257,
             dict(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v" * 257}])),
            ("ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn",
             dict(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])),
            ("ResourceNotFoundException", f"Requested resource not found: ResourceArn: {missing} not found",
             dict(ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}])),
            ("ValidationException", "One or more parameter values were invalid: ARNs must start with 'arn:': nope",
             dict(ResourceArn="nope", Tags=[{"Key": "k", "Value": "v"}])),
        ]
        for code, message, kwargs in cases:
            with self.subTest(message):
                self.assertError(code, message, self.ddb.tag_resource, **kwargs)
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [])

    # Point-in-time recovery: kept per table, described as DynamoDB describes it.
    def test_continuous_backups(self):
        name, _ = self.make_table()
        described = self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        self.assertEqual(described, {"ContinuousBackupsStatus": "ENABLED",
                                     "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}})
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
        updated = self.ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True,
                                                              "RecoveryPeriodInDays": 10},
        )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        self.assertEqual(updated["PointInTimeRecoveryStatus"], "ENABLED")
        self.assertEqual(updated["RecoveryPeriodInDays"], 10)
        self.assertGreater(updated["EarliestRestorableDateTime"], before)
        self.assertEqual(updated["LatestRestorableDateTime"], updated["EarliestRestorableDateTime"])
        self.assertEqual(self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
                         ["PointInTimeRecoveryDescription"], updated)
        self.assertError("TableNotFoundException", "Table not found: nope-table",
                         self.ddb.describe_continuous_backups, TableName="nope-table")

    def test_contributor_insights_and_kinesis(self):
        name, _ = self.make_table()
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"],
                         "DISABLED")
        self.assertEqual(self.ddb.update_contributor_insights(
            TableName=name, ContributorInsightsAction="ENABLE")["ContributorInsightsStatus"], "ENABLING")
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"],
                         "ENABLED")
        summaries = self.ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
        self.assertEqual(summaries, [{"TableName": name, "ContributorInsightsStatus": "ENABLED",
                                      "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}])
        kinesis = self.ddb.describe_kinesis_streaming_destination(TableName=name)
        self.assertEqual((kinesis["TableName"], kinesis["KinesisDataStreamDestinations"]), (name, []))

    # An operation of DynamoDB's API the emulator lacks names itself.
    def test_unimplemented_operations_name_themselves(self):
        name, _ = self.make_table()
        calls = {
            "CreateBackup": lambda: self.ddb.create_backup(TableName=name, BackupName="backup-1"),
            "ListBackups": lambda: self.ddb.list_backups(),
            "DescribeGlobalTable": lambda: self.ddb.describe_global_table(GlobalTableName=name),
            "ListImports": lambda: self.ddb.list_imports(),
            "GetResourcePolicy": lambda: self.ddb.get_resource_policy(ResourceArn="arn:aws:dynamodb:x"),
        }
        for operation, call in calls.items():
            with self.subTest(operation):
                self.assertError("UnknownOperationException",
                                 f"An unknown operation was requested: {operation} is not implemented by dynamo-emu",
                                 lambda **_: call())


if __name__ == "__main__":
    unittest.main()
