"""pytest with the fixtures of conftest.py: each test has its own empty
namespace on the session's in-process emulator."""
import pytest


def create_accounts(dynamodb):
    dynamodb.create_table(TableName="accounts", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])


def test_a_stale_version_loses(dynamodb):
    create_accounts(dynamodb)
    dynamodb.put_item(TableName="accounts", Item={"id": {"S": "a"}, "version": {"N": "1"}})
    bump = dict(TableName="accounts", Key={"id": {"S": "a"}},
                UpdateExpression="SET version = :next", ConditionExpression="version = :seen",
                ExpressionAttributeValues={":next": {"N": "2"}, ":seen": {"N": "1"}})
    dynamodb.update_item(**bump)
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.update_item(**bump)


def test_each_test_starts_empty(dynamodb):
    assert dynamodb.list_tables()["TableNames"] == []
    create_accounts(dynamodb)
