"""pytest fixtures for an in-process dynamo-emu: one emulator for the test
session, and a boto3 client on a namespace of each test's own (its own
access key), so every test starts without tables.

    PYTHONPATH=<dynamo-emu>/bindings/python python3 -m pytest
"""
import uuid

import boto3
import pytest

import dynamo_emu


@pytest.fixture(scope="session")
def dynamodb_endpoint():
    with dynamo_emu.start() as endpoint:
        yield endpoint


@pytest.fixture
def dynamodb(dynamodb_endpoint):
    return boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name="us-east-1",
                        aws_access_key_id=f"test-{uuid.uuid4().hex[:12]}",
                        aws_secret_access_key="test")
