// PartiQL's ExecuteStatement through the JS SDK v3 (low-level client and the
// DocumentClient): writes with DynamoDB's outcomes, SELECT as a Query or a
// Scan paged by NextToken, parameters, RETURNING, and the refusals' texts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BatchExecuteStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';
import { ExecuteStatementCommand as DocExecuteStatement } from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

let server;
let ddb;
let doc;

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
});

after(async () => {
  await server?.stop();
});

const run = (Statement, Parameters, extra = {}) =>
  ddb.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));

test('INSERT, UPDATE, DELETE and SELECT by key, with DynamoDB\'s outcomes', async () => {
  const t = tableName('pql');
  await createSimpleTable(ddb, t, { skType: 'N' });
  assert.deepEqual((await run(`INSERT INTO "${t}" VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x'>>}`)).Items, []);
  await expectError(run(`INSERT INTO "${t}" VALUE {'pk': 'a', 'sk': 1}`),
    'DuplicateItemException', 'Duplicate primary key exists in table');
  const updated = await run(`UPDATE "${t}" SET n = 1 SET tags = set_add(tags, <<'y'>>) WHERE pk = ? AND sk = ? RETURNING ALL NEW *`,
    [{ S: 'a' }, { N: '1' }]);
  assert.deepEqual(updated.Items, [{ pk: { S: 'a' }, sk: { N: '1' }, n: { N: '1' }, tags: { SS: ['x', 'y'] } }]);
  await expectError(run(`UPDATE "${t}" SET n = 2 WHERE pk = 'b' AND sk = 1`),
    'ConditionalCheckFailedException', 'The conditional request failed');
  await expectError(run(`UPDATE "${t}" SET n = 2 WHERE pk = 'a'`),
    'ValidationException', 'Where clause does not contain a mandatory equality on all key attributes');
  const got = await run(`SELECT n, tags FROM "${t}" WHERE pk = 'a' AND sk = 1`);
  assert.deepEqual(got.Items, [{ n: { N: '1' }, tags: { SS: ['x', 'y'] } }]);
  assert.deepEqual((await run(`DELETE FROM "${t}" WHERE pk = 'zz' AND sk = 0 AND n = 5`)).Items, []);
  await expectError(run(`DELETE FROM "${t}" WHERE pk = 'a' AND sk = 1 AND n = 5`),
    'ConditionalCheckFailedException', 'The conditional request failed');
  const deleted = await run(`DELETE FROM "${t}" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *`);
  assert.equal(deleted.Items[0].n.N, '1');
  assert.deepEqual((await run(`SELECT * FROM "${t}" WHERE pk = 'a' AND sk = 1`)).Items, []);
});

test('SELECT queries a partition in key order, scans otherwise, and pages by NextToken', async () => {
  const t = tableName('pqs');
  await createSimpleTable(ddb, t, { skType: 'N' });
  for (let i = 0; i < 12; i++) {
    await doc.send(new DocExecuteStatement({
      Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'odd': ?}`,
      Parameters: [i < 7 ? 'p' : 'q', i, i % 2 === 1],
    }));
  }
  const seen = [];
  let NextToken;
  let pages = 0;
  do {
    const page = await doc.send(new DocExecuteStatement({
      Statement: `SELECT sk FROM "${t}" WHERE pk = 'p' AND sk >= 2`, Limit: 2, NextToken,
    }));
    seen.push(...page.Items.map((i) => i.sk));
    NextToken = page.NextToken;
    pages++;
  } while (NextToken && pages < 20);
  assert.deepEqual(seen, [2, 3, 4, 5, 6]);
  const scanned = await doc.send(new DocExecuteStatement({ Statement: `SELECT sk FROM "${t}" WHERE odd = true` }));
  assert.deepEqual(scanned.Items.map((i) => i.sk).sort((a, b) => a - b), [1, 3, 5, 7, 9, 11]);
  await expectError(run(`SELECT * FROM "${t}" WHERE pk = ?`),
    'ValidationException', 'Number of parameters in request and statement don\'t match.');
  await expectError(run(`SLECT * FROM "${t}"`),
    'ValidationException', 'Statement wasn\'t well formed, can\'t be processed: Expected data manipulation');
  await expectError(run('SELECT * FROM "nope"'), 'ResourceNotFoundException', 'Requested resource not found');
});

test('BatchExecuteStatement: each statement succeeds or fails on its own', async () => {
  const t = tableName('pqb');
  await createSimpleTable(ddb, t, { skType: 'N' });
  await run(`INSERT INTO "${t}" VALUE {'pk': 'a', 'sk': 1}`);
  const writes = await ddb.send(new BatchExecuteStatementCommand({
    Statements: [
      { Statement: `INSERT INTO "${t}" VALUE {'pk': 'b', 'sk': 2}` },
      { Statement: `INSERT INTO "${t}" VALUE {'pk': 'a', 'sk': 1}` },
      { Statement: `UPDATE "${t}" SET v = ? WHERE pk = 'b' AND sk = 2`, Parameters: [{ S: 'x' }] },
    ],
  }));
  assert.deepEqual(writes.Responses, [
    { TableName: t },
    { Error: { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' }, TableName: t },
    { TableName: t },
  ]);
  const reads = await ddb.send(new BatchExecuteStatementCommand({
    Statements: [
      { Statement: `SELECT v FROM "${t}" WHERE pk = 'b' AND sk = 2` },
      { Statement: `SELECT * FROM "${t}" WHERE pk = 'b'` },
    ],
  }));
  assert.deepEqual(reads.Responses, [
    { TableName: t, Item: { v: { S: 'x' } } },
    { Error: { Code: 'ValidationError', Message: 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.' } },
  ]);
  await expectError(ddb.send(new BatchExecuteStatementCommand({
    Statements: [
      { Statement: `SELECT * FROM "${t}" WHERE pk = 'b' AND sk = 2` },
      { Statement: `DELETE FROM "${t}" WHERE pk = 'b' AND sk = 2` },
    ],
  })), 'ValidationException', 'Read and write requests together in the same batch is not supported.');
});
