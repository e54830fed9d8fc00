// A consumer's node --test suite against an in-process dynamo-emu, the AWS
// SDK for JavaScript v3 as the client (Jest and Vitest: the same start/stop
// in beforeAll/afterAll).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { start } from 'dynamo-emu';

let emu;
let ddb;

before(async () => {
  emu = await start();
  ddb = new DynamoDBClient({
    endpoint: emu.endpoint, region: 'eu-west-1',
    credentials: { accessKeyId: 'orders', secretAccessKey: 'test' },
  });
  await ddb.send(new CreateTableCommand({
    TableName: 'orders', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }));
});

after(async () => {
  ddb?.destroy();
  await emu?.stop();
});

test('an order is placed once only', async () => {
  const place = new PutItemCommand({
    TableName: 'orders', Item: { id: { S: 'o-1' } }, ConditionExpression: 'attribute_not_exists(id)',
  });
  await ddb.send(place);
  await assert.rejects(ddb.send(place), ConditionalCheckFailedException);
});
