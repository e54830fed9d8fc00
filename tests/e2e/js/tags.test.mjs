// Tags and the table settings infrastructure tools (Terraform, the CDK) read
// on every plan, through the JS SDK v3: tagging by table ARN, point-in-time
// recovery, Contributor Insights, Kinesis destinations, and the operations
// the emulator lacks answering UnknownOperationException by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeContributorInsightsCommand,
  DescribeKinesisStreamingDestinationCommand,
  DescribeTableCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateContributorInsightsCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

let server;
let ddb;

before(async () => {
  server = await startServer();
  ddb = server.client();
});

after(async () => {
  await server?.stop();
});

async function arnOf(name) {
  return (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table.TableArn;
}

test('tags are added, replaced, listed and removed by table ARN', async () => {
  const arn = await arnOf(await createSimpleTable(ddb, tableName('tags')));
  const list = async () => (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags;
  assert.deepEqual(await list(), []);
  await ddb.send(new TagResourceCommand({
    ResourceArn: arn,
    Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'cost-center', Value: '42' }],
  }));
  await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'prod' }] }));
  assert.deepEqual(await list(), [{ Key: 'env', Value: 'prod' }, { Key: 'cost-center', Value: '42' }]);
  await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['env'] }));
  assert.deepEqual(await list(), [{ Key: 'cost-center', Value: '42' }]);
  await expectError(
    ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'aws:reserved', Value: 'x' }] })),
    'ValidationException', 'Tag Key cannot be prefixed with aws:, Key: aws:reserved');
  const missing = arn.replace(/table\/.*/, 'table/no-such-table');
  await expectError(
    ddb.send(new ListTagsOfResourceCommand({ ResourceArn: missing })),
    'ResourceNotFoundException', `Requested resource not found: ResourceArn: ${missing} not found`);
});

test('point-in-time recovery, Contributor Insights and Kinesis destinations are described', async () => {
  const name = await createSimpleTable(ddb, tableName('settings'));
  const backups = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: name }));
  assert.deepEqual(backups.ContinuousBackupsDescription, {
    ContinuousBackupsStatus: 'ENABLED',
    PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
  });
  const enabled = await ddb.send(new UpdateContinuousBackupsCommand({
    TableName: name,
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  }));
  const pitr = enabled.ContinuousBackupsDescription.PointInTimeRecoveryDescription;
  assert.equal(pitr.PointInTimeRecoveryStatus, 'ENABLED');
  assert.equal(pitr.RecoveryPeriodInDays, 35);
  assert.ok(pitr.EarliestRestorableDateTime instanceof Date);
  await expectError(
    ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'no-such-table' })),
    'TableNotFoundException', 'Table not found: no-such-table');

  const insights = await ddb.send(new UpdateContributorInsightsCommand({
    TableName: name, ContributorInsightsAction: 'ENABLE',
  }));
  assert.equal(insights.ContributorInsightsStatus, 'ENABLING');
  const described = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }));
  assert.equal(described.ContributorInsightsStatus, 'ENABLED');
  const kinesis = await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: name }));
  assert.deepEqual([kinesis.TableName, kinesis.KinesisDataStreamDestinations], [name, []]);
});

test('an operation the emulator lacks answers UnknownOperationException by name', async () => {
  const name = await createSimpleTable(ddb, tableName('backup'));
  await expectError(
    ddb.send(new CreateBackupCommand({ TableName: name, BackupName: 'nightly' })),
    'UnknownOperationException',
    'An unknown operation was requested: CreateBackup is not implemented by dynamo-emu');
});
