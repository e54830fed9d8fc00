// PartiQL through the DocumentClient of @aws-sdk/lib-dynamodb: native JS
// parameters of every type it marshals, SELECT with parameters and paging,
// RETURNING unmarshalled, BatchExecuteStatement per-statement outcomes,
// ExecuteTransaction (all or nothing, EXISTS, reads, idempotency, conflicts)
// and the same data seen through GetItem/Query/PutItem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  BatchExecuteStatementCommand,
  DeleteCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const CANCELLED = 'TransactionCanceledException';
const cancelledMessage = (codes) =>
  `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;
const NONE = { Code: 'None' };
const CCF = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
const CCF_MESSAGE = 'The conditional request failed';
const DUPLICATE_MESSAGE = 'Duplicate primary key exists in table';
const TX_CONFLICT = { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item.' };

let server;
let ddb;
let doc;
let catalog; // pk (S), sk (N): 300 items in 'p', 5 in 'q', 3 in 'r'

const pad3 = (n) => String(n).padStart(3, '0');
const catalogItem = (pk, sk) => ({
  pk,
  sk,
  label: `${pk}-${pad3(sk)}`,
  grp: sk % 3,
  info: { tags: ['t0', `t${sk}`], detail: { color: sk % 2 ? 'red' : 'blue', rank: sk } },
});

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
  catalog = await createSimpleTable(ddb, tableName('pqd-cat'), { skType: 'N' });
  const items = [
    ...Array.from({ length: 300 }, (_, i) => catalogItem('p', i)),
    ...Array.from({ length: 5 }, (_, i) => catalogItem('q', i)),
    ...Array.from({ length: 3 }, (_, i) => catalogItem('r', i)),
  ];
  for (let i = 0; i < items.length; i += 25) {
    const { Responses } = await doc.send(new BatchExecuteStatementCommand({
      Statements: items.slice(i, i + 25).map((item) => ({
        Statement: `INSERT INTO "${catalog}" VALUE {'pk': ?, 'sk': ?, 'label': ?, 'grp': ?, 'info': ?}`,
        Parameters: [item.pk, item.sk, item.label, item.grp, item.info],
      })),
    }));
    assert.deepEqual(Responses, items.slice(i, i + 25).map(() => ({ TableName: catalog })));
  }
});

after(async () => {
  await server?.stop();
});

const exec = (Statement, Parameters, extra = {}) =>
  doc.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));
const batch = (Statements, extra = {}) => doc.send(new BatchExecuteStatementCommand({ Statements, ...extra }));
const transact = (TransactStatements, extra = {}, client = doc) =>
  client.send(new ExecuteTransactionCommand({ TransactStatements, ...extra }));
const get = async (TableName, Key, client = doc) =>
  (await client.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
const bytes = (...b) => new Uint8Array(b);

// Runs one SELECT page by page (NextToken) and returns the pages' Items.
async function pages(Statement, Parameters, extra = {}) {
  const out = [];
  let NextToken;
  do {
    const page = await exec(Statement, Parameters, { ...extra, NextToken });
    out.push(page.Items);
    NextToken = page.NextToken;
    assert.ok(out.length <= 1000, 'paging did not end');
  } while (NextToken);
  return out;
}

// Asserts a TransactionCanceledException with exactly these reasons (and the
// top-level message listing their codes in order).
async function expectCancelled(promise, reasons) {
  const err = await expectError(promise, CANCELLED, cancelledMessage(reasons.map((r) => r.Code)));
  assert.deepEqual(err.CancellationReasons, reasons);
  return err;
}

// One attribute of every type the DocumentClient marshals (S, N, B, SS, NS,
// BS, BOOL, NULL, L, M), nested ones included.
const everyType = {
  str: 'héllo ✓',
  num: 3.25,
  negative: -17,
  large: 12345678901234,
  bin: bytes(0, 1, 2, 254, 255),
  strSet: new Set(['a', 'b', 'c']),
  numSet: new Set([1, 2.5, -3]),
  binSet: new Set([bytes(1), bytes(2, 3)]),
  isTrue: true,
  isFalse: false,
  nothing: null,
  arr: ['x', 1, false, null, bytes(9), ['nested'], { k: 'v' }, new Set(['s'])],
  obj: {
    name: 'm',
    count: 0,
    blank: '',
    emptyList: [],
    emptyMap: {},
    deep: { tags: new Set(['t']), nums: new Set([7]), data: bytes(7), list: [1, [2, [3]]] },
  },
};

// The point of the DocumentClient: native values in as ? parameters come
// back identical through GetItem and SELECT, and compare equal in a WHERE.
test('INSERT with native parameters of every type; GetCommand and SELECT return them unchanged', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-types'), { skType: 'N' });
  const names = Object.keys(everyType);
  const insert = await exec(
    `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, ${names.map((n) => `'${n}': ?`).join(', ')}}`,
    ['all', 1, ...Object.values(everyType)]);
  assert.deepEqual(insert.Items, []);
  const expected = { pk: 'all', sk: 1, ...everyType };
  assert.deepEqual(await get(t, { pk: 'all', sk: 1 }), expected);
  assert.deepEqual((await exec(`SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, ['all', 1])).Items, [expected]);

  // Each value, sent again as a parameter, equals what was stored.
  for (const name of names) {
    const { Items } = await exec(`SELECT pk FROM "${t}" WHERE pk = ? AND sk = ? AND "${name}" = ?`,
      ['all', 1, everyType[name]]);
    assert.deepEqual(Items, [{ pk: 'all' }], `${name} = ? did not match`);
  }
  // Sets are equal whatever order their members are listed in.
  const reordered = await exec(`SELECT pk FROM "${t}" WHERE pk = ? AND sk = ? AND strSet = ? AND numSet = ?`,
    ['all', 1, new Set(['c', 'a', 'b']), new Set([-3, 1, 2.5])]);
  assert.deepEqual(reordered.Items, [{ pk: 'all' }]);
  // A different value of the same type does not match.
  const other = await exec(`SELECT pk FROM "${t}" WHERE pk = ? AND sk = ? AND bin = ?`, ['all', 1, bytes(0, 1, 2)]);
  assert.deepEqual(other.Items, []);
});

// Binary has no PartiQL literal: a binary key can only be written and read
// through parameters.
test('binary partition key given as a Uint8Array parameter', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-bin'), { hashType: 'B' });
  const key = bytes(0xde, 0xad, 0xbe, 0xef);
  await exec(`INSERT INTO "${t}" VALUE {'pk': ?, 'v': ?}`, [key, 'first']);
  assert.deepEqual(await get(t, { pk: key }), { pk: key, v: 'first' });
  await exec(`UPDATE "${t}" SET v = ? WHERE pk = ?`, ['second', key]);
  assert.deepEqual((await exec(`SELECT * FROM "${t}" WHERE pk = ?`, [key])).Items, [{ pk: key, v: 'second' }]);
  await expectError(exec(`INSERT INTO "${t}" VALUE {'pk': ?}`, [bytes(0xde, 0xad, 0xbe, 0xef)]),
    'DuplicateItemException', DUPLICATE_MESSAGE);
  await exec(`DELETE FROM "${t}" WHERE pk = ?`, [key]);
  assert.equal(await get(t, { pk: key }), undefined);
});

// Numbers beyond a double's precision travel as bigint or NumberValue and
// come back exactly with wrapNumbers.
test('bigint and NumberValue parameters keep all 38 digits', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-num'));
  const exact = server.docClient({ unmarshallOptions: { wrapNumbers: true } });
  const digits38 = '1234567890123456789012345678.9012345678';
  await exec(`INSERT INTO "${t}" VALUE {'pk': ?, 'big': ?, 'precise': ?, 'nums': ?}`,
    ['n', 123456789012345678901234567890n, NumberValue.from(digits38), new Set([NumberValue.from('0.1'), 2n ** 70n])]);
  const { Items } = await exact.send(new ExecuteStatementCommand({
    Statement: `SELECT big, precise, nums FROM "${t}" WHERE pk = ? AND precise = ?`,
    Parameters: ['n', NumberValue.from(digits38)],
  }));
  assert.equal(Items.length, 1);
  assert.equal(Items[0].big.value, '123456789012345678901234567890');
  assert.equal(Items[0].precise.value, digits38);
  assert.deepEqual(new Set([...Items[0].nums].map((v) => v.value)), new Set(['0.1', String(2n ** 70n)]));
});

// Parameters bind in WHERE as in any comparison: = on keys and nested
// attributes, IN, BETWEEN and begins_with; a partition's rows come in
// sort-key order; nested paths project under their last name.
test('SELECT with parameters in WHERE (=, IN, BETWEEN, begins_with) and nested projections', async () => {
  const sks = async (Statement, Parameters) => (await exec(Statement, Parameters)).Items.map((i) => i.sk);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND sk BETWEEN ? AND ?`, ['p', 10, 14]),
    [10, 11, 12, 13, 14]);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND begins_with(label, ?)`, ['p', 'p-02']),
    [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND sk IN [?, ?, ?]`, ['p', 250, 3, 77]),
    [3, 77, 250]);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND grp = ? AND sk < ?`, ['p', 1, 10]),
    [1, 4, 7]);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND info.detail.rank = ?`, ['p', 42]), [42]);
  assert.deepEqual(await sks(`SELECT sk FROM "${catalog}" WHERE pk = ? AND info.tags[1] IN [?, ?]`, ['q', 't3', 't9']),
    [3]);

  // Without a partition-key condition it is a scan: any order.
  const scanned = await exec(`SELECT pk, sk FROM "${catalog}" WHERE label IN [?, ?, ?]`, ['q-001', 'r-002', 'p-299']);
  assert.deepEqual(new Set(scanned.Items.map((i) => `${i.pk}/${i.sk}`)), new Set(['q/1', 'r/2', 'p/299']));

  const projected = await exec(
    `SELECT sk, info.detail.color, info.tags[1], info.detail, absent FROM "${catalog}" WHERE pk = ? AND sk = ?`,
    ['p', 5]);
  assert.deepEqual(projected.Items, [{ sk: 5, color: 'red', 'tags[1]': 't5', detail: { color: 'red', rank: 5 } }]);
  const nothing = await exec(`SELECT absent FROM "${catalog}" WHERE pk = ? AND sk = ?`, ['p', 5]);
  assert.deepEqual(nothing.Items, [{}]);
  assert.deepEqual((await exec(`SELECT * FROM "${catalog}" WHERE pk = ? AND sk = ?`, ['p', 300])).Items, []);
});

// Limit counts the items read, so a partition of 300 read 37 at a time
// takes 9 pages, each continued by NextToken, in sort-key order.
test('Limit + NextToken page through 300 items of a partition in sort-key order', async () => {
  const all = await pages(`SELECT sk FROM "${catalog}" WHERE pk = ?`, ['p'], { Limit: 37 });
  assert.deepEqual(all.map((p) => p.length), [37, 37, 37, 37, 37, 37, 37, 37, 4]);
  assert.deepEqual(all.flat().map((i) => i.sk), Array.from({ length: 300 }, (_, i) => i));

  // With a filter, Limit still counts items read: 8 pages of up to 40 read,
  // a third of them kept.
  const filtered = await pages(`SELECT sk FROM "${catalog}" WHERE pk = ? AND grp = ?`, ['p', 0], { Limit: 40 });
  assert.equal(filtered.length, 8);
  assert.deepEqual(filtered.flat().map((i) => i.sk), Array.from({ length: 100 }, (_, i) => 3 * i));

  // A scan pages the same way and returns every item exactly once.
  const scanned = await pages(`SELECT pk, sk FROM "${catalog}"`, undefined, { Limit: 50 });
  assert.equal(scanned.length, 7);
  const keys = scanned.flat().map((i) => `${i.pk}/${i.sk}`);
  assert.equal(keys.length, 308);
  assert.equal(new Set(keys).size, 308);
});

// ORDER BY the sort key: DESC walks the partition backwards, page by page;
// the three ORDER BY refusals keep their texts.
test('ORDER BY sk DESC pages in reverse sort-key order; ASC in key order', async () => {
  const desc = await pages(`SELECT sk FROM "${catalog}" WHERE pk = ? ORDER BY sk DESC`, ['p'], { Limit: 37 });
  assert.deepEqual(desc.map((p) => p.length), [37, 37, 37, 37, 37, 37, 37, 37, 4]);
  assert.deepEqual(desc.flat().map((i) => i.sk), Array.from({ length: 300 }, (_, i) => 299 - i));
  const range = await exec(`SELECT sk FROM "${catalog}" WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk DESC`,
    ['p', 10, 14]);
  assert.deepEqual(range.Items.map((i) => i.sk), [14, 13, 12, 11, 10]);
  const asc = await exec(`SELECT sk FROM "${catalog}" WHERE pk = ? ORDER BY sk ASC`, ['q']);
  assert.deepEqual(asc.Items.map((i) => i.sk), [0, 1, 2, 3, 4]);
  await expectAll([
    ['no WHERE', () => exec(`SELECT * FROM "${catalog}" ORDER BY sk`),
      'Must have WHERE clause in the statement when using ORDER BY clause.'],
    ['no hash key condition', () => exec(`SELECT * FROM "${catalog}" WHERE sk = ? ORDER BY sk`, [1]),
      'Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.'],
    ['non-key attribute', () => exec(`SELECT * FROM "${catalog}" WHERE pk = ? ORDER BY grp`, ['p']),
      'Variable reference grp in ORDER BY clause must be part of the primary key'],
  ]);
});

// pk IN [...] is one Query per value, run in the order the values are listed,
// and NextToken continues across them.
test('pk IN [?, ?] returns each partition in key order, partitions in the order listed', async () => {
  const q = ['q/0', 'q/1', 'q/2', 'q/3', 'q/4'];
  const r = ['r/0', 'r/1', 'r/2'];
  for (const [values, expected] of [[['r', 'q'], [...r, ...q]], [['q', 'r'], [...q, ...r]]]) {
    const { Items } = await exec(`SELECT pk, sk FROM "${catalog}" WHERE pk IN [?, ?]`, values);
    assert.deepEqual(Items.map((i) => `${i.pk}/${i.sk}`), expected);
    const paged = await pages(`SELECT pk, sk FROM "${catalog}" WHERE pk IN [?, ?]`, values, { Limit: 2 });
    assert.deepEqual(paged.flat().map((i) => `${i.pk}/${i.sk}`), expected);
  }
});

// RETURNING hands back items the DocumentClient unmarshals: the whole new
// item, the old values of what changed, the deleted item.
test('UPDATE RETURNING ALL NEW * / MODIFIED OLD * / MODIFIED NEW * and DELETE RETURNING ALL OLD *', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-ret'), { skType: 'N' });
  const start = { pk: 'u', sk: 1, n: 5, l: [1], ss: new Set(['a', 'b']), m: { x: 1, y: 'z' }, bin: bytes(1, 2) };
  await doc.send(new PutCommand({ TableName: t, Item: start }));

  const allNew = await exec(
    `UPDATE "${t}" SET n = n + ?, l = list_append(l, ?), m.x = ? WHERE pk = ? AND sk = ? RETURNING ALL NEW *`,
    [2, [2, 'three'], { deep: true }, 'u', 1]);
  const afterFirst = { ...start, n: 7, l: [1, 2, 'three'], m: { x: { deep: true }, y: 'z' } };
  assert.deepEqual(allNew.Items, [afterFirst]);

  const modifiedOld = await exec(
    `UPDATE "${t}" SET ss = set_add(ss, ?) REMOVE bin WHERE pk = ? AND sk = ? RETURNING MODIFIED OLD *`,
    [new Set(['c']), 'u', 1]);
  assert.deepEqual(modifiedOld.Items, [{ ss: new Set(['a', 'b']), bin: bytes(1, 2) }]);

  const modifiedNew = await exec(`UPDATE "${t}" SET m.y = ?, n = ? WHERE pk = ? AND sk = ? RETURNING MODIFIED NEW *`,
    [null, 8, 'u', 1]);
  assert.deepEqual(modifiedNew.Items, [{ m: { y: null }, n: 8 }]);

  const allOld = await exec(`UPDATE "${t}" SET n = ? WHERE pk = ? AND sk = ? RETURNING ALL OLD *`, [9, 'u', 1]);
  const beforeLast = { pk: 'u', sk: 1, n: 8, l: [1, 2, 'three'], ss: new Set(['a', 'b', 'c']), m: { x: { deep: true }, y: null } };
  assert.deepEqual(allOld.Items, [beforeLast]);

  // A failing condition with ReturnValuesOnConditionCheckFailure carries the
  // stored item (as AttributeValues: the DocumentClient leaves errors alone).
  const err = await expectError(exec(`UPDATE "${t}" SET n = ? WHERE pk = ? AND sk = ? AND n = ?`, [0, 'u', 1, 100], {
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }), 'ConditionalCheckFailedException', CCF_MESSAGE);
  assert.deepEqual(err.Item.n, { N: '9' });
  assert.deepEqual(err.Item.pk, { S: 'u' });
  await expectError(exec(`UPDATE "${t}" SET n = ? WHERE pk = ? AND sk = ?`, [0, 'u', 2]),
    'ConditionalCheckFailedException', CCF_MESSAGE);

  const deleted = await exec(`DELETE FROM "${t}" WHERE pk = ? AND sk = ? RETURNING ALL OLD *`, ['u', 1]);
  assert.deepEqual(deleted.Items, [{ ...beforeLast, n: 9 }]);
  assert.equal(await get(t, { pk: 'u', sk: 1 }), undefined);
  assert.deepEqual((await exec(`DELETE FROM "${t}" WHERE pk = ? AND sk = ? RETURNING ALL OLD *`, ['u', 1])).Items, []);
});

// A batch is not a transaction: each statement succeeds or fails on its own,
// failures keep DynamoDB's short codes, and read Items are unmarshalled.
test('BatchExecuteStatement: native parameters, per-statement errors, Responses[i].Item unmarshalled', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-batch'), { skType: 'N' });
  await doc.send(new PutCommand({ TableName: t, Item: { pk: 'old', sk: 1, v: 'kept' } }));
  const missingTable = tableName('pqd-none');
  const writes = await batch([
    { Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, Parameters: ['a', 1, { x: [1, 'two'], b: bytes(5) }] },
    { Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, Parameters: ['old', 1, 'overwritten?'] },
    { Statement: `UPDATE "${t}" SET v = ? WHERE pk = ? AND sk = ?`, Parameters: ['x', 'ghost', 1] },
    { Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, Parameters: ['b', 2, new Set([bytes(1), bytes(2)])] },
    { Statement: `DELETE FROM "${missingTable}" WHERE pk = ? AND sk = ?`, Parameters: ['a', 1] },
    { Statement: `UPDATE "${t}" SET n = ? WHERE pk = ? AND sk = ? RETURNING ALL NEW *`, Parameters: [new Set([1, 2]), 'old', 1] },
  ]);
  assert.deepEqual(writes.Responses, [
    { TableName: t },
    { Error: { Code: 'DuplicateItem', Message: DUPLICATE_MESSAGE }, TableName: t },
    { Error: { Code: 'ConditionalCheckFailed', Message: CCF_MESSAGE }, TableName: t },
    { TableName: t },
    { Error: { Code: 'ResourceNotFound', Message: 'Requested resource not found' } },
    { TableName: t, Item: { pk: 'old', sk: 1, v: 'kept', n: new Set([1, 2]) } },
  ]);
  assert.equal(await get(t, { pk: 'ghost', sk: 1 }), undefined);

  const reads = await batch([
    { Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['a', 1] },
    { Statement: `SELECT v FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['b', 2], ConsistentRead: true },
    { Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['ghost', 1] },
    { Statement: `SELECT * FROM "${t}" WHERE pk = ?`, Parameters: ['a'] },
    { Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['old', 1] },
  ]);
  assert.deepEqual(reads.Responses, [
    { TableName: t, Item: { pk: 'a', sk: 1, v: { x: [1, 'two'], b: bytes(5) } } },
    { TableName: t, Item: { v: new Set([bytes(1), bytes(2)]) } },
    { TableName: t },
    { Error: { Code: 'ValidationError', Message: 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.' } },
    { TableName: t, Item: { pk: 'old', sk: 1, v: 'kept', n: new Set([1, 2]) } },
  ]);
});

// EXISTS is a transaction-only condition check; elsewhere it is refused.
test('EXISTS outside ExecuteTransaction is refused', async () => {
  const exists = `EXISTS(SELECT * FROM "${catalog}" WHERE pk = ? AND sk = ? AND grp = ?)`;
  await expectError(exec(exists, ['p', 1, 1]),
    'ValidationException', 'EXISTS can only be used in ExecuteTransaction write requests.');
  const { Responses } = await batch([{ Statement: exists, Parameters: ['p', 1, 1] }]);
  assert.deepEqual(Responses, [
    { Error: { Code: 'ValidationError', Message: 'EXISTS can only be used in ExecuteTransaction write requests.' } },
  ]);
});

// A batch reports the capacity it used as a list, one entry per table: 1
// unit per small item written, 0.5 per eventually consistent read, 1 per
// strongly consistent one.
test('BatchExecuteStatement ReturnConsumedCapacity TOTAL: one entry per table', async () => {
  const t1 = await createSimpleTable(ddb, tableName('pqd-cap1'));
  const t2 = await createSimpleTable(ddb, tableName('pqd-cap2'));
  // Entries compared by TableName and CapacityUnits only, in table-name order.
  const byName = (rows) => rows.sort((a, b) => a.TableName.localeCompare(b.TableName));
  const capacity = (list) => byName([...list].map(({ TableName, CapacityUnits }) => ({ TableName, CapacityUnits })));
  const writes = await batch([
    { Statement: `INSERT INTO "${t1}" VALUE {'pk': ?}`, Parameters: ['a'] },
    { Statement: `INSERT INTO "${t2}" VALUE {'pk': ?}`, Parameters: ['b'] },
    { Statement: `INSERT INTO "${t1}" VALUE {'pk': ?}`, Parameters: ['c'] },
  ], { ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(capacity(writes.ConsumedCapacity),
    byName([{ TableName: t1, CapacityUnits: 2 }, { TableName: t2, CapacityUnits: 1 }]));
  const reads = await batch([
    { Statement: `SELECT * FROM "${t1}" WHERE pk = ?`, Parameters: ['a'] },
    { Statement: `SELECT * FROM "${t1}" WHERE pk = ?`, Parameters: ['c'], ConsistentRead: true },
    { Statement: `SELECT * FROM "${t2}" WHERE pk = ?`, Parameters: ['b'] },
  ], { ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(capacity(reads.ConsumedCapacity),
    byName([{ TableName: t1, CapacityUnits: 1.5 }, { TableName: t2, CapacityUnits: 0.5 }]));
});

// All or nothing: one failing statement cancels the transaction, the
// reasons come in statement order, and nothing is written; once the
// condition holds, everything applies.
test('ExecuteTransaction writes: a failing statement cancels all, reasons in order', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-tx'), { skType: 'N' });
  const account = { pk: 'acct', sk: 1, status: 'open', balance: 10 };
  await doc.send(new PutCommand({ TableName: t, Item: account }));
  const insertOrder = {
    Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'amount': ?, 'tags': ?}`,
    Parameters: ['order', 1, 20, new Set(['x'])],
  };
  const debit = (amount) => ({
    Statement: `UPDATE "${t}" SET balance = balance - ? WHERE pk = ? AND sk = ? AND balance >= ?`,
    Parameters: [amount, 'acct', 1, amount],
  });

  await expectCancelled(transact([insertOrder, debit(20)]), [NONE, CCF]);
  assert.equal(await get(t, { pk: 'order', sk: 1 }), undefined);
  assert.deepEqual(await get(t, { pk: 'acct', sk: 1 }), account);

  // ALL_OLD on the failing statement puts the stored item in its reason.
  const err = await expectCancelled(
    transact([insertOrder, { ...debit(20), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }]),
    [NONE, { ...CCF, Item: { pk: { S: 'acct' }, sk: { N: '1' }, status: { S: 'open' }, balance: { N: '10' } } }]);
  assert.equal(err.CancellationReasons.length, 2);

  // A duplicate INSERT and an UPDATE of a missing item cancel as well.
  await expectCancelled(transact([
    { Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?}`, Parameters: ['acct', 1] },
    insertOrder,
  ]), [{ Code: 'DuplicateItem', Message: DUPLICATE_MESSAGE }, NONE]);
  await expectCancelled(transact([
    insertOrder,
    { Statement: `UPDATE "${t}" SET balance = ? WHERE pk = ? AND sk = ?`, Parameters: [1, 'ghost', 1] },
  ]), [NONE, CCF]);
  assert.equal(await get(t, { pk: 'order', sk: 1 }), undefined);
  assert.equal(await get(t, { pk: 'ghost', sk: 1 }), undefined);

  const ok = await transact([insertOrder, debit(5), {
    Statement: `DELETE FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['nothing-here', 1],
  }]);
  assert.deepEqual(ok.Responses, []);
  assert.deepEqual(await get(t, { pk: 'order', sk: 1 }), { pk: 'order', sk: 1, amount: 20, tags: new Set(['x']) });
  assert.deepEqual(await get(t, { pk: 'acct', sk: 1 }), { ...account, balance: 5 });
});

// EXISTS(...) is a condition check on another item: the writes apply only
// when that item exists and matches.
test('ExecuteTransaction EXISTS condition check', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-exists'), { skType: 'N' });
  await doc.send(new PutCommand({ TableName: t, Item: { pk: 'gate', sk: 0, phase: 'open' } }));
  const exists = (pk, phase) => ({
    Statement: `EXISTS(SELECT * FROM "${t}" WHERE pk = ? AND sk = ? AND phase = ?)`, Parameters: [pk, 0, phase],
  });
  const write = (v) => ({ Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, Parameters: ['w', v, v] });

  await expectCancelled(transact([exists('gate', 'closed'), write(1)]), [CCF, NONE]);
  await expectCancelled(transact([write(1), exists('no-gate', 'open')]), [NONE, CCF]);
  assert.equal(await get(t, { pk: 'w', sk: 1 }), undefined);
  assert.deepEqual((await transact([exists('gate', 'open'), write(1)])).Responses, []);
  assert.deepEqual(await get(t, { pk: 'w', sk: 1 }), { pk: 'w', sk: 1, v: 1 });
  // The checked item itself is not changed.
  assert.deepEqual(await get(t, { pk: 'gate', sk: 0 }), { pk: 'gate', sk: 0, phase: 'open' });
  await expectError(transact([
    { Statement: `EXISTS(SELECT * FROM "${t}" WHERE pk = ? AND sk = ?)`, Parameters: ['gate', 0] }, write(2),
  ]), 'ValidationException',
  'Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition');
});

// A read transaction returns one response per SELECT, in order: the item
// (unmarshalled, projected) or {} when there is none.
test('ExecuteTransaction reads: Items in order, {} for a missing item', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-txr'), { skType: 'N' });
  const one = { pk: 'a', sk: 1, v: new Set([bytes(1)]), m: { n: [1, { deep: 'yes' }] } };
  await doc.send(new PutCommand({ TableName: t, Item: one }));
  await doc.send(new PutCommand({ TableName: t, Item: { pk: 'b', sk: 2, v: 'two', w: false } }));
  const { Responses } = await transact([
    { Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['a', 1] },
    { Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['a', 2] },
    { Statement: `SELECT label, info.detail.color FROM "${catalog}" WHERE pk = ? AND sk = ?`, Parameters: ['p', 7] },
    { Statement: `SELECT v, w FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ['b', 2] },
  ]);
  assert.deepEqual(Responses, [{ Item: one }, {}, { Item: { label: 'p-007', color: 'red' } }, { Item: { v: 'two', w: false } }]);
});

// The refusals of ExecuteTransaction keep their texts, with the index of the
// statement at fault.
test('ExecuteTransaction refusals: mixed, RETURNING, one item twice, partial key, unknown table', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-txv'), { skType: 'N' });
  const select = (pk, sk) => ({ Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: [pk, sk] });
  const insert = (pk, sk) => ({ Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?}`, Parameters: [pk, sk] });
  await expectAll([
    ['read and write', () => transact([select('a', 1), insert('b', 1)]),
      'ExecuteTransaction API does not support both read and write operations in the same request.'],
    ['RETURNING', () => transact([insert('a', 1), {
      Statement: `UPDATE "${t}" SET v = ? WHERE pk = ? AND sk = ? RETURNING ALL NEW *`, Parameters: [1, 'b', 1],
    }]), 'Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction.'],
    ['one item twice', () => transact([insert('a', 1), {
      Statement: `UPDATE "${t}" SET v = ? WHERE pk = ? AND sk = ?`, Parameters: [1, 'a', 1],
    }]), 'Transaction request cannot include multiple operations on one item'],
    ['SELECT without the sort key', () => transact([select('a', 1), {
      Statement: `SELECT * FROM "${t}" WHERE pk = ?`, Parameters: ['b'],
    }]), 'Validation failed in TransactStatements[1]: Select statements within ExecuteTransaction must specify the primary key in the where clause.'],
    ['SELECT with an extra condition', () => transact([{
      Statement: `SELECT * FROM "${t}" WHERE pk = ? AND sk = ? AND v = ?`, Parameters: ['b', 1, 1],
    }]), 'Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.'],
  ]);
  await expectError(transact([insert('a', 1), {
    Statement: `INSERT INTO "${tableName('pqd-none')}" VALUE {'pk': ?, 'sk': ?}`, Parameters: ['a', 1],
  }]), 'ResourceNotFoundException', 'Requested resource not found');
  assert.equal(await get(t, { pk: 'a', sk: 1 }), undefined);
});

// The same ClientRequestToken and statements again succeed without applying
// twice; the same token with other statements is a mismatch.
test('ExecuteTransaction ClientRequestToken: a replay is applied once', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-tok'));
  await doc.send(new PutCommand({ TableName: t, Item: { pk: 'counter', n: 0 } }));
  const ClientRequestToken = `pqd-token-${t}`.slice(0, 36);
  const increment = (by) => [{ Statement: `UPDATE "${t}" SET n = n + ? WHERE pk = ?`, Parameters: [by, 'counter'] }];
  assert.deepEqual((await transact(increment(1), { ClientRequestToken })).Responses, []);
  assert.deepEqual((await transact(increment(1), { ClientRequestToken })).Responses, []);
  assert.deepEqual(await get(t, { pk: 'counter' }), { pk: 'counter', n: 1 });
  await expectError(transact(increment(2), { ClientRequestToken }), 'IdempotentParameterMismatchException',
    'Transaction with the same ClientRequestToken but different parameters has already been submitted');
  assert.deepEqual(await get(t, { pk: 'counter' }), { pk: 'counter', n: 1 });
  // Without a token (the SDK makes a fresh one each call) it applies again.
  await transact(increment(1));
  assert.deepEqual(await get(t, { pk: 'counter' }), { pk: 'counter', n: 2 });
});

// A write transaction reports 2 units per small item written, one entry per
// table.
test('ExecuteTransaction ReturnConsumedCapacity TOTAL: 2 units per item, one entry per table', async () => {
  const t1 = await createSimpleTable(ddb, tableName('pqd-txc1'));
  const t2 = await createSimpleTable(ddb, tableName('pqd-txc2'));
  const { ConsumedCapacity } = await transact([
    { Statement: `INSERT INTO "${t1}" VALUE {'pk': ?}`, Parameters: ['a'] },
    { Statement: `INSERT INTO "${t2}" VALUE {'pk': ?}`, Parameters: ['b'] },
    { Statement: `INSERT INTO "${t1}" VALUE {'pk': ?}`, Parameters: ['c'] },
  ], { ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(
    ConsumedCapacity.map(({ TableName, CapacityUnits }) => ({ TableName, CapacityUnits }))
      .sort((a, b) => a.TableName.localeCompare(b.TableName)),
    [{ TableName: t1, CapacityUnits: 4 }, { TableName: t2, CapacityUnits: 2 }]
      .sort((a, b) => a.TableName.localeCompare(b.TableName)));
});

// A transaction in flight (held by --transaction-hold-ms) holds its items: a
// concurrent ExecuteTransaction on one of them is cancelled with
// TransactionConflict, a plain PutItem gets TransactionConflictException.
test('ExecuteTransaction in flight: concurrent transaction and PutCommand conflict', async () => {
  const HOLD_MS = 500;
  const SETTLE_MS = 60;
  const held = await startServer({ args: ['--in-memory', '--transaction-hold-ms', String(HOLD_MS)] });
  try {
    const heldDoc = held.docClient();
    const t = await createSimpleTable(held.client(), tableName('pqd-hold'));
    await heldDoc.send(new PutCommand({ TableName: t, Item: { pk: 'busy', v: 0 } }));
    const setV = (pk, v) => ({ Statement: `UPDATE "${t}" SET v = ? WHERE pk = ?`, Parameters: [v, pk] });
    const insert = (pk, v) => ({ Statement: `INSERT INTO "${t}" VALUE {'pk': ?, 'v': ?}`, Parameters: [pk, v] });

    const sentAt = Date.now();
    const done = transact([setV('busy', 1)], {}, held.docClient());
    done.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    await sleep(SETTLE_MS);

    await expectCancelled(transact([insert('free', 2), setV('busy', 2)], {}, heldDoc), [NONE, TX_CONFLICT]);
    await expectError(heldDoc.send(new PutCommand({ TableName: t, Item: { pk: 'busy', v: 3 } })),
      'TransactionConflictException', 'Transaction is ongoing for the item');
    const elapsed = Date.now() - sentAt;
    assert.ok(elapsed < HOLD_MS, `the conflicting calls ran ${elapsed} ms after the held transaction was sent`);

    assert.deepEqual((await done).Responses, []);
    assert.deepEqual(await get(t, { pk: 'busy' }, heldDoc), { pk: 'busy', v: 1 });
    assert.equal(await get(t, { pk: 'free' }, heldDoc), undefined);
  } finally {
    await held.stop();
  }
});

// PartiQL and the item API share one table: each sees what the other wrote.
test('PutCommand data is visible to SELECT; PartiQL writes to GetCommand and QueryCommand', async () => {
  const t = await createSimpleTable(ddb, tableName('pqd-vis'), { skType: 'N' });
  const put = { pk: 'x', sk: 1, tags: new Set(['a']), bin: bytes(3), nested: { list: [1, null, true] } };
  await doc.send(new PutCommand({ TableName: t, Item: put }));
  assert.deepEqual((await exec(`SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, ['x', 1])).Items, [put]);
  assert.deepEqual((await exec(`SELECT sk FROM "${t}" WHERE bin = ?`, [bytes(3)])).Items, [{ sk: 1 }]);

  await exec(`INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, ['x', 3, 'three']);
  await exec(`INSERT INTO "${t}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, ['x', 2, 'two']);
  await exec(`UPDATE "${t}" SET tags = set_add(tags, ?), nested.list[1] = ? WHERE pk = ? AND sk = ?`,
    [new Set(['b']), 'filled', 'x', 1]);
  assert.deepEqual(await get(t, { pk: 'x', sk: 1 }),
    { ...put, tags: new Set(['a', 'b']), nested: { list: [1, 'filled', true] } });
  const queried = await doc.send(new QueryCommand({
    TableName: t, KeyConditionExpression: 'pk = :p AND sk >= :s', ExpressionAttributeValues: { ':p': 'x', ':s': 2 },
  }));
  assert.deepEqual(queried.Items, [{ pk: 'x', sk: 2, v: 'two' }, { pk: 'x', sk: 3, v: 'three' }]);

  // An UpdateCommand is seen by SELECT, a PartiQL DELETE by GetCommand.
  await doc.send(new UpdateCommand({
    TableName: t, Key: { pk: 'x', sk: 2 }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 'TWO' },
  }));
  assert.deepEqual((await exec(`SELECT v FROM "${t}" WHERE pk = ? AND sk = ?`, ['x', 2])).Items, [{ v: 'TWO' }]);
  await exec(`DELETE FROM "${t}" WHERE pk = ? AND sk = ?`, ['x', 3]);
  assert.equal(await get(t, { pk: 'x', sk: 3 }), undefined);
  await doc.send(new DeleteCommand({ TableName: t, Key: { pk: 'x', sk: 2 } }));
  assert.deepEqual((await exec(`SELECT sk FROM "${t}" WHERE pk = ?`, ['x'])).Items, [{ sk: 1 }]);
});
