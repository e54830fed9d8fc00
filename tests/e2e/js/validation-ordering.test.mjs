// Which error DynamoDB reports when a request has more than one problem, and
// the limits that depend on where a value sits (an item, an expression value,
// a transaction). Every expectation is DynamoDB's recorded answer (public
// suites recorded against eu-west-2 and us-east-1, 2026).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const NEST = 'Nesting Levels have exceeded supported limits: '
  + 'Attributes in the item have nested levels beyond supported limit';
const RCC_ENUM = "Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: "
  + 'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]';
const RV_ENUM = "Value 'INVALID' at 'returnValues' failed to satisfy constraint: "
  + 'Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]';
const EMPTY_NAME = "Value '' at 'tableName' failed to satisfy constraint: "
  + 'Member must have length greater than or equal to 1';
const NO_KEY = "Value null at 'key' failed to satisfy constraint: Member must not be null";

let server;
let ddb;
let table;  // hash key pk (S)
const missing = tableName('absent');

// `depth` single-key maps around a string.
const deep = (depth) => {
  let v = { S: 'leaf' };
  for (let i = 0; i < depth; i++) v = { M: { n: v } };
  return v;
};

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('vo'));
});

after(async () => {
  await server?.stop();
});

const update = (input) => () => ddb.send(new UpdateItemCommand(input));
const SET_A = { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } };

test('UpdateItem joins member errors in its order when the Key is missing, and stops at the first otherwise', async () => {
  await expectAll([
    ['an empty table name and the missing key',
      update({ TableName: '', ...SET_A }), `2 validation errors detected: ${EMPTY_NAME}; ${NO_KEY}`],
    ['both enums, the empty name and the missing key, member by member',
      update({ TableName: '', ...SET_A, ReturnConsumedCapacity: 'INVALID', ReturnValues: 'INVALID' }),
      `4 validation errors detected: ${RCC_ENUM}; ${EMPTY_NAME}; ${RV_ENUM}; ${NO_KEY}`],
    ['ConditionalOperator comes before the missing key',
      update({
        TableName: missing,
        AttributeUpdates: { x: { Action: 'PUT', Value: { S: '1' } } },
        Expected: { a: { Exists: false }, b: { Exists: false } },
        ConditionalOperator: 'XOR',
      }),
      "2 validation errors detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: "
        + `Member must satisfy enum value set: [OR, AND]; ${NO_KEY}`],
    ['with a Key, only the first enum error (ReturnValues)',
      update({ TableName: missing, Key: { pk: { S: 'a' } }, ReturnValues: 'INVALID', ReturnConsumedCapacity: 'INVALID' }),
      `1 validation error detected: ${RV_ENUM}`],
  ]);
});

test('Query reports a ConditionalOperator outside its enum alone, bare, in the newer wording', async () => {
  await expectError(ddb.send(new QueryCommand({
    TableName: missing,
    KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } },
    QueryFilter: { b: { ComparisonOperator: 'NULL' }, c: { ComparisonOperator: 'NULL' } },
    ConditionalOperator: 'XOR',
    Select: 'BOGUS',
  })), 'ValidationException', 'Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]');
});

test('BatchWriteItem reports an unknown ReturnConsumedCapacity without the malformed table name', async () => {
  await expectError(ddb.send(new BatchWriteItemCommand({
    RequestItems: { 'bad!name': [{ PutRequest: { Item: { pk: { S: 'a' } } } }] },
    ReturnConsumedCapacity: 'BOGUS',
  })), 'ValidationException',
  "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: "
    + 'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]');
});

test('CreateTable lists global index errors before local ones, whatever the request order', async () => {
  const projection = { ProjectionType: 'ALL' };
  await expectError(ddb.send(new CreateTableCommand({
    TableName: tableName('vo-ct'),
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    LocalSecondaryIndexes: [{
      IndexName: 'aa', Projection: projection,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }],
    GlobalSecondaryIndexes: [{
      IndexName: 'zz', Projection: projection, KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }],
    }],
  })), 'ValidationException',
  "2 validation errors detected: Value 'zz' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
    + 'constraint: Member must have length greater than or equal to 3; '
    + "Value 'aa' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: "
    + 'Member must have length greater than or equal to 3');
});

test('Scan checks a ScanFilter value before looking up its table', async () => {
  await expectError(ddb.send(new ScanCommand({
    TableName: missing,
    ScanFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [deep(40)] } },
  })), 'ValidationException', NEST);
});

test('DeleteItem read in the older form reports UPDATED_NEW bare, ahead of a value nested 100 levels', async () => {
  const cond = (depth) => ({
    TableName: missing,
    Key: { pk: { S: 'a' } },
    ConditionExpression: '#d = :deep',
    ExpressionAttributeNames: { '#d': 'd' },
    ExpressionAttributeValues: { ':deep': deep(depth) },
    ReturnValues: 'UPDATED_NEW',
  });
  await expectError(ddb.send(new DeleteItemCommand(cond(100))), 'ValidationException',
    'ReturnValues can only be ALL_OLD or NONE');
  // Not yet past the older form's threshold: the envelope stays.
  await expectError(ddb.send(new DeleteItemCommand(cond(20))), 'ValidationException',
    '1 validation error detected: ReturnValues can only be ALL_OLD or NONE');
});

const transact = (TransactItems) => ddb.send(new TransactWriteItemsCommand({ TransactItems }));

test('TransactWriteItems reads a Delete\'s condition before its key', async () => {
  await expectError(transact([
    { Delete: { TableName: missing, Key: { pk: deep(100) }, ConditionExpression: 'a = = b' } },
  ]), 'ValidationException', 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"');
  const condition = 'a = :v' + ' AND a = :v'.repeat(373);
  await expectError(transact([{
    Delete: {
      TableName: missing, Key: { pk: deep(100) }, ConditionExpression: condition,
      ExpressionAttributeValues: { ':v': { S: 'x' } },
    },
  }]), 'ValidationException',
  'Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4109');
});

test('TransactWriteItems words an oversized UpdateExpression without its size', async () => {
  await expectError(transact([{
    Update: {
      TableName: missing, Key: { pk: { S: 'a' } },
      UpdateExpression: 'SET ' + Array.from({ length: 500 }, (_, i) => `a${i} = :v`).join(', '),
      ExpressionAttributeValues: { ':v': { S: 'x' } },
    },
  }]), 'ValidationException', 'Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;');
});

test('TransactWriteItems takes a 32-level expression value: an Update cancels on the item it would build', async () => {
  let err;
  try {
    await transact([{
      Update: {
        TableName: table, Key: { pk: { S: 'nest-twi' } },
        UpdateExpression: 'SET deep = :deep', ExpressionAttributeValues: { ':deep': deep(32) },
      },
    }]);
  } catch (e) {
    err = e;
  }
  assert.equal(err?.name, 'TransactionCanceledException');
  assert.equal(err.message,
    'Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]');
  assert.deepEqual(err.CancellationReasons, [{ Code: 'ValidationError', Message: NEST }]);
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'nest-twi' } } }));
  assert.equal(Item, undefined);
});

test('TransactWriteItems evaluates a ConditionCheck with a 32-level value, and refuses 33 levels', async () => {
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'nest-cc' }, marker: { S: 'x' } } }));
  const check = (depth) => transact([{
    ConditionCheck: {
      TableName: table, Key: { pk: { S: 'nest-cc' } }, ConditionExpression: '#d = :deep',
      ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':deep': deep(depth) },
    },
  }]);
  const err = await expectError(check(32), 'TransactionCanceledException',
    'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]');
  assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ['ConditionalCheckFailed']);
  await expectError(check(33), 'ValidationException',
    `ExpressionAttributeValues contains invalid value: ${NEST} for key :deep`);
});

test('UpdateItem refuses to build an item nested past the limit through a document path', async () => {
  const key = { pk: { S: 'nest-path' } };
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key, data: { M: {} } } }));
  const setX = (depth) => ddb.send(new UpdateItemCommand({
    TableName: table, Key: key, UpdateExpression: 'SET #d.x = :v',
    ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':v': deep(depth) },
  }));
  await setX(30);  // data.x: 31 maps around the leaf, the most an item holds
  await expectError(setX(31), 'ValidationException', NEST);
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  assert.deepEqual(Item.data.M.x, deep(30));
});
