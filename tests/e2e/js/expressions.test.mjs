// UpdateItem semantics, ReturnValues, ReturnValuesOnConditionCheckFailure,
// conditions on Put/Delete and ProjectionExpression through the SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { NumberValue, UpdateCommand } from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const CCF = 'ConditionalCheckFailedException';
const CCF_MESSAGE = 'The conditional request failed';

let server;
let ddb;
let table;
let seq = 0;

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('expr'));
});

after(async () => {
  await server?.stop();
});

// A fresh key per call so tests do not see each other's items.
const newKey = (prefix) => ({ pk: { S: `${prefix}-${(seq += 1)}` } });

const put = (Item) => ddb.send(new PutItemCommand({ TableName: table, Item }));
const get = async (Key) => (await ddb.send(new GetItemCommand({
  TableName: table, Key, ConsistentRead: true,
}))).Item;
const update = (Key, UpdateExpression, ExpressionAttributeValues, extra = {}) =>
  ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression, ExpressionAttributeValues, ...extra,
  }));

const sorted = (a) => [...a].sort();

// UpdateItem is an upsert; counters and "touch" writes rely on it creating the item.
test('UpdateItem creates the item when it is absent', async () => {
  const Key = newKey('create');
  const out = await update(Key, 'SET a = :v, b.c = :v', { ':v': { S: 'x' } }).catch((e) => e);
  // A nested SET on a missing map is invalid even on a new item, and must not create it.
  assert.deepEqual({ name: out.name, message: out.message }, {
    name: 'ValidationException',
    message: 'The document path provided in the update expression is invalid for update',
  });
  assert.equal(await get(Key), undefined);

  const res = await update(Key, 'SET a = :v', { ':v': { S: 'x' } }, { ReturnValues: 'ALL_NEW' });
  assert.deepEqual(res.Attributes, { ...Key, a: { S: 'x' } });
  assert.deepEqual(await get(Key), { ...Key, a: { S: 'x' } });

  // No actions at all (legacy, no AttributeUpdates) still creates the key-only item.
  const bare = newKey('create-bare');
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: bare }));
  assert.deepEqual(await get(bare), bare);
});

// An update that only removes does not create a missing item (DynamoDB's
// behaviour, recorded); an empty AttributeUpdates creates the key-only item.
test('UpdateItem that only removes does not create the item', async () => {
  const cases = [
    ['REMOVE', { UpdateExpression: 'REMOVE a, b.c' }],
    ['DELETE from a set', { UpdateExpression: 'DELETE s :s', ExpressionAttributeValues: { ':s': { SS: ['x'] } } }],
    ['REMOVE and DELETE', { UpdateExpression: 'REMOVE a DELETE s :s', ExpressionAttributeValues: { ':s': { NS: ['1'] } } }],
    ['legacy DELETE without a value', { AttributeUpdates: { a: { Action: 'DELETE' } } }],
    ['legacy DELETE from a set', { AttributeUpdates: { s: { Action: 'DELETE', Value: { SS: ['x'] } } } }],
  ];
  for (const [why, params] of cases) {
    for (const ReturnValues of ['ALL_NEW', 'UPDATED_NEW', 'ALL_OLD', 'NONE']) {
      const Key = newKey('remove-only');
      const out = await ddb.send(new UpdateItemCommand({ TableName: table, Key, ReturnValues, ...params }));
      assert.equal(out.Attributes, undefined, `${why} ${ReturnValues}`);
      assert.equal(await get(Key), undefined, `${why} ${ReturnValues}: the item was created`);
    }
  }
  // On an existing item the same update applies, leaving the key.
  const Key = newKey('remove-existing');
  await put({ ...Key, a: { S: 'x' } });
  const out = await ddb.send(new UpdateItemCommand({ TableName: table, Key, UpdateExpression: 'REMOVE a', ReturnValues: 'ALL_NEW' }));
  assert.deepEqual(out.Attributes, Key);
  // A SET among the removals creates it.
  const mixed = newKey('remove-and-set');
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: mixed, UpdateExpression: 'REMOVE a SET b = :b', ExpressionAttributeValues: { ':b': { N: '1' } } }));
  assert.deepEqual(await get(mixed), { ...mixed, b: { N: '1' } });
  // An empty AttributeUpdates creates the item with just its key.
  const empty = newKey('empty-attribute-updates');
  const created = await ddb.send(new UpdateItemCommand({ TableName: table, Key: empty, AttributeUpdates: {}, ReturnValues: 'ALL_NEW' }));
  assert.deepEqual(created.Attributes, empty);
  assert.deepEqual(await get(empty), empty);
});

// Counters as libraries write them, the whole value in parentheses: DynamoDB
// accepts it and applies the arithmetic (recorded).
test('SET with a parenthesised value: counters with a default', async () => {
  const Key = newKey('paren');
  const names = { '#p': 'p' };
  const inc = (expr, values) => ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression: expr, ExpressionAttributeNames: names,
    ExpressionAttributeValues: values, ReturnValues: 'UPDATED_NEW',
  }));
  let out = await inc('SET #p = (if_not_exists(#p, :zero) + :inc)', { ':zero': { N: '0' }, ':inc': { N: '5' } });
  assert.deepEqual(out.Attributes, { p: { N: '5' } });
  out = await inc('SET #p = (if_not_exists(#p, :zero) - :dec)', { ':zero': { N: '0' }, ':dec': { N: '2' } });
  assert.deepEqual(out.Attributes, { p: { N: '3' } });
  out = await inc('SET #p = ((#p - :dec))', { ':dec': { N: '1' } });
  assert.deepEqual(out.Attributes, { p: { N: '2' } });
  await expectError(inc('SET #p = (#p) - :dec', { ':dec': { N: '1' } }), 'ValidationException',
    '1 validation error detected: Invalid UpdateExpression: Syntax error; token: "-", near: ") - :dec"');
});

// Documents are updated in place by path; siblings of the touched path must survive.
test('SET on nested map paths keeps siblings', async () => {
  const Key = newKey('nested');
  await put({ ...Key, m: { M: { x: { M: { y: { N: '1' } } }, keep: { S: 'k' } } } });
  await update(Key, 'SET m.x.z = :v, m.#w = :w, m.x.y = m.x.y + :one', {
    ':v': { S: 'zz' }, ':w': { L: [] }, ':one': { N: '1' },
  }, { ExpressionAttributeNames: { '#w': 'w' } });
  assert.deepEqual(await get(Key), {
    ...Key,
    m: { M: { x: { M: { y: { N: '2' }, z: { S: 'zz' } } }, keep: { S: 'k' }, w: { L: [] } } },
  });
  // An alias holding a dot names a top-level attribute, not a path.
  await update(Key, 'SET #dotted = :v', { ':v': { S: 'top' } }, {
    ExpressionAttributeNames: { '#dotted': 'm.x' },
  });
  const item = await get(Key);
  assert.deepEqual(item['m.x'], { S: 'top' });
  assert.deepEqual(item.m.M.x.M.y, { N: '2' });
});

// Lists: an index past the end appends and REMOVE shifts the rest down.
test('list index past the end appends; REMOVE shifts the rest down', async () => {
  const Key = newKey('list');
  const nums = (...ns) => ({ L: ns.map((n) => ({ N: String(n) })) });
  await put({ ...Key, l: nums(1, 2, 3) });
  await update(Key, 'SET l[10] = :a', { ':a': { N: '10' } });
  assert.deepEqual((await get(Key)).l, nums(1, 2, 3, 10));
  await update(Key, 'SET l[2] = :a', { ':a': { N: '7' } });
  assert.deepEqual((await get(Key)).l, nums(1, 2, 7, 10));
  await put({ ...Key, l: nums(1, 2, 3) });

  await update(Key, 'REMOVE l[0]');
  assert.deepEqual((await get(Key)).l, nums(2, 3));

  // REMOVE past the end is a no-op.
  await update(Key, 'REMOVE l[99]');
  assert.deepEqual((await get(Key)).l, nums(2, 3));

  // Removing every element leaves an empty list, not a missing attribute.
  await put({ ...Key, l: nums(1) });
  await update(Key, 'REMOVE l[0]');
  assert.deepEqual((await get(Key)).l, { L: [] });
});

// Every index in one update refers to the list as it was before the update,
// whatever the order of the clauses.
test('list indexes in one update are pre-update positions', async () => {
  const Key = newKey('list-pos');
  const nums = (...ns) => ({ L: ns.map((n) => ({ N: String(n) })) });
  for (const expr of ['REMOVE l[1] SET l[3] = :v', 'SET l[3] = :v REMOVE l[1]']) {
    await put({ ...Key, l: nums(2, 3, 4, 5, 6, 7) });
    await update(Key, expr, { ':v': { N: '17' } });
    assert.deepEqual((await get(Key)).l, nums(2, 4, 17, 6, 7), expr);
  }
  await put({ ...Key, l: nums(0, 1, 2, 3) });
  await update(Key, 'REMOVE l[0], l[2]');
  assert.deepEqual((await get(Key)).l, nums(1, 3));
});

// DynamoDB documents that several appends in one SET are "sorted in order by
// element number", not applied in the order they are written.
test('several SETs past the end of a list append in index order', async () => {
  const Key = newKey('list-order');
  await put({ ...Key, l: { L: [{ S: 'one' }, { S: 'two' }, { S: 'three' }] } });
  await update(Key, 'SET l[84] = :a1, l[37] = :a2, l[17] = :a3, l[50] = :a4', {
    ':a1': { S: 'a1' }, ':a2': { S: 'a2' }, ':a3': { S: 'a3' }, ':a4': { S: 'a4' },
  });
  assert.deepEqual((await get(Key)).l, {
    L: ['one', 'two', 'three', 'a3', 'a2', 'a4', 'a1'].map((S) => ({ S })),
  });
});

// ADD is the atomic counter and set-union primitive.
test('ADD to numbers (creating them) and to SS/NS sets', async () => {
  const Key = newKey('add');
  await update(Key, 'ADD n :five, ss :ss, ns :ns', {
    ':five': { N: '5' }, ':ss': { SS: ['a', 'b'] }, ':ns': { NS: ['1', '2'] },
  });
  assert.deepEqual(await get(Key), { ...Key, n: { N: '5' }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2'] } });

  await update(Key, 'ADD n :minus, ss :ss, ns :ns', {
    ':minus': { N: '-7.5' }, ':ss': { SS: ['b', 'c'] }, ':ns': { NS: ['2.0', '3'] },
  });
  const item = await get(Key);
  assert.deepEqual(item.n, { N: '-2.5' });
  assert.deepEqual(sorted(item.ss.SS), ['a', 'b', 'c']);
  // 2.0 is the same number as 2, so the set gains only 3.
  assert.deepEqual(sorted(item.ns.NS), ['1', '2', '3']);
});

// DELETE removes set elements; an empty set cannot be stored, so the attribute goes away.
test('DELETE from a set; emptying the set removes the attribute', async () => {
  const Key = newKey('del');
  await put({ ...Key, ss: { SS: ['a', 'b', 'c'] }, ns: { NS: ['1', '2'] } });
  await update(Key, 'DELETE ss :d, ns :n', { ':d': { SS: ['a', 'zzz'] }, ':n': { NS: ['1.0'] } });
  let item = await get(Key);
  assert.deepEqual(sorted(item.ss.SS), ['b', 'c']);
  assert.deepEqual(item.ns, { NS: ['2'] });

  await update(Key, 'DELETE ss :d, ns :n', { ':d': { SS: ['b', 'c'] }, ':n': { NS: ['2'] } });
  item = await get(Key);
  assert.deepEqual(item, Key);

  // DELETE on a missing attribute is a no-op.
  await update(Key, 'DELETE gone :d', { ':d': { SS: ['x'] } });
  assert.deepEqual(await get(Key), Key);
});

// if_not_exists is how defaults and "first seen" timestamps are written.
test('if_not_exists sets only missing attributes', async () => {
  const Key = newKey('ine');
  await put({ ...Key, a: { S: 'keep' } });
  await update(Key, 'SET a = if_not_exists(a, :d), b = if_not_exists(b, :d), c = if_not_exists(c, :zero) + :one', {
    ':d': { S: 'default' }, ':zero': { N: '0' }, ':one': { N: '1' },
  });
  assert.deepEqual(await get(Key), { ...Key, a: { S: 'keep' }, b: { S: 'default' }, c: { N: '1' } });
});

// list_append is the only way to append atomically; operand order decides prepend vs append.
test('list_append appends and prepends, and creates with if_not_exists', async () => {
  const Key = newKey('append');
  await update(Key, 'SET l = list_append(if_not_exists(l, :empty), :more)', {
    ':empty': { L: [] }, ':more': { L: [{ S: 'b' }] },
  });
  await update(Key, 'SET l = list_append(l, :more)', { ':more': { L: [{ S: 'c' }, { N: '4' }] } });
  await update(Key, 'SET l = list_append(:front, l)', { ':front': { L: [{ S: 'a' }] } });
  assert.deepEqual((await get(Key)).l, { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }, { N: '4' }] });
});

// Money and IDs live in 38-digit numbers; arithmetic must be decimal and exact, never float.
test('arithmetic on 38-digit numbers is exact', async () => {
  const Key = newKey('num');
  await put({
    ...Key,
    big: { N: '12345678901234567890123456789012345678' },
    frac: { N: '1234567890123456789012345678901234567.8' },
    tenth: { N: '0.1' },
    nines: { N: '99999999999999999999999999999999999998' },
  });
  await update(Key, 'SET big = big + :one, frac = frac - :tenth, tenth = tenth + :two, nines = nines - :neg ADD ctr :big', {
    ':one': { N: '1' },
    ':tenth': { N: '0.1' },
    ':two': { N: '0.2' },
    ':neg': { N: '-1' },
    ':big': { N: '-98765432109876543210987654321098765432' },
  });
  assert.deepEqual(await get(Key), {
    ...Key,
    big: { N: '12345678901234567890123456789012345679' },
    frac: { N: '1234567890123456789012345678901234567.7' },
    tenth: { N: '0.3' },
    nines: { N: '99999999999999999999999999999999999999' },
    ctr: { N: '-98765432109876543210987654321098765432' },
  });

  // Through the DocumentClient with NumberValue, as applications holding big numbers do it.
  const doc = server.docClient({ unmarshallOptions: { wrapNumbers: true } });
  const out = await doc.send(new UpdateCommand({
    TableName: table,
    Key: { pk: Key.pk.S },
    UpdateExpression: 'SET big = big + :inc',
    ExpressionAttributeValues: { ':inc': NumberValue.from('87654321098765432109876543210987654321') },
    ReturnValues: 'UPDATED_NEW',
  }));
  assert.equal(out.Attributes.big.toString(), '100000000000000000000000000000000000000');
});

// Each ReturnValues mode has a distinct shape that ORMs parse; UPDATED_* return
// only what the update touched: for a nested path, just that part (as DynamoDB does).
test('every ReturnValues mode of UpdateItem', async () => {
  const base = {
    a: { N: '1' },
    m: { M: { x: { N: '1' }, y: { S: 'y' } } },
    gone: { S: 'bye' },
    untouched: { S: 'u' },
  };
  const expr = 'SET a = a + :one, m.x = :ten, fresh = :f REMOVE gone';
  const values = { ':one': { N: '1' }, ':ten': { N: '10' }, ':f': { S: 'new' } };
  const updated = {
    a: { N: '2' },
    m: { M: { x: { N: '10' }, y: { S: 'y' } } },
    fresh: { S: 'new' },
    untouched: { S: 'u' },
  };
  const run = async (ReturnValues) => {
    const Key = newKey(`rv-${ReturnValues ?? 'default'}`);
    await put({ ...Key, ...base });
    const out = await update(Key, expr, values, ReturnValues ? { ReturnValues } : {});
    assert.deepEqual(await get(Key), { ...Key, ...updated });
    return { Key, Attributes: out.Attributes };
  };

  assert.equal((await run(undefined)).Attributes, undefined);
  assert.equal((await run('NONE')).Attributes, undefined);
  let r = await run('ALL_OLD');
  assert.deepEqual(r.Attributes, { ...r.Key, ...base });
  r = await run('ALL_NEW');
  assert.deepEqual(r.Attributes, { ...r.Key, ...updated });
  // Old values of the touched attributes; `fresh` did not exist before.
  r = await run('UPDATED_OLD');
  assert.deepEqual(r.Attributes, { a: base.a, m: { M: { x: { N: '1' } } }, gone: base.gone });
  // New values of the touched attributes; the removed one is absent.
  r = await run('UPDATED_NEW');
  assert.deepEqual(r.Attributes, { a: updated.a, m: { M: { x: { N: '10' } } }, fresh: updated.fresh });

  // A list element: the list with just that element.
  const listKey = newKey('rv-list');
  await put({ ...listKey, l: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] } });
  const out = await update(listKey, 'SET l[1] = :x', { ':x': { S: 'B' } }, { ReturnValues: 'UPDATED_NEW' });
  assert.deepEqual(out.Attributes, { l: { L: [{ S: 'B' }] } });

  // On a new item there is nothing old to return.
  const Key = newKey('rv-new');
  const created = await update(Key, 'SET a = :one', { ':one': { N: '1' } }, { ReturnValues: 'ALL_OLD' });
  assert.equal(created.Attributes, undefined);
  const again = newKey('rv-new');
  const updatedOld = await update(again, 'SET a = :one', { ':one': { N: '1' } }, { ReturnValues: 'UPDATED_OLD' });
  assert.equal(updatedOld.Attributes, undefined);
});

// ReturnValuesOnConditionCheckFailure saves a read after a failed conditional write.
test('ReturnValuesOnConditionCheckFailure=ALL_OLD puts the old item on the error', async () => {
  const Key = newKey('rvoccf');
  const item = { ...Key, v: { N: '5' }, m: { M: { a: { L: [{ S: 'x' }] } } } };
  await put(item);
  const cond = {
    ConditionExpression: 'v = :old',
    ExpressionAttributeValues: { ':old': { N: '4' } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };

  let err = await expectError(ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression: 'SET v = :new', ...cond,
    ExpressionAttributeValues: { ...cond.ExpressionAttributeValues, ':new': { N: '6' } },
  })), CCF, CCF_MESSAGE);
  assert.deepEqual(err.Item, item);

  err = await expectError(ddb.send(new PutItemCommand({
    TableName: table, Item: { ...Key, v: { N: '6' } }, ...cond,
  })), CCF, CCF_MESSAGE);
  assert.deepEqual(err.Item, item);

  err = await expectError(ddb.send(new DeleteItemCommand({ TableName: table, Key, ...cond })), CCF, CCF_MESSAGE);
  assert.deepEqual(err.Item, item);
  assert.deepEqual(await get(Key), item);

  // Without the option (or with NONE) the error carries no item.
  const plain = { ...cond };
  delete plain.ReturnValuesOnConditionCheckFailure;
  err = await expectError(ddb.send(new DeleteItemCommand({ TableName: table, Key, ...plain })), CCF, CCF_MESSAGE);
  assert.equal(err.Item, undefined);
  err = await expectError(ddb.send(new DeleteItemCommand({
    TableName: table, Key, ...plain, ReturnValuesOnConditionCheckFailure: 'NONE',
  })), CCF, CCF_MESSAGE);
  assert.equal(err.Item, undefined);

  // A missing item has nothing to return.
  const absent = newKey('rvoccf-absent');
  err = await expectError(ddb.send(new UpdateItemCommand({
    TableName: table, Key: absent, UpdateExpression: 'SET v = :old',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':old': { N: '1' } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  })), CCF, CCF_MESSAGE);
  assert.equal(err.Item, undefined);
  assert.equal(await get(absent), undefined);
});

// Conditions evaluate against the stored item; a passing condition must apply
// the write and a failing one must leave everything unchanged.
test('condition expressions on PutItem and DeleteItem', async () => {
  const Key = newKey('cond');
  await put({ ...Key, n: { N: '3' }, s: { S: 'hello' }, l: { L: [{ N: '1' }] }, ss: { SS: ['a'] } });
  const passes = [
    'n BETWEEN :lo AND :hi',
    'n IN (:one, :three)',
    'begins_with(s, :he) AND contains(ss, :a) AND contains(l, :one)',
    'size(s) = :five AND size(l) = :one',
    'attribute_type(n, :N) AND NOT attribute_exists(absent)',
    'n <> :one OR absent = :one',
    'absent <> :one',
  ];
  const values = {
    ':lo': { N: '2' }, ':hi': { N: '3' }, ':one': { N: '1' }, ':three': { N: '3' }, ':he': { S: 'he' },
    ':a': { S: 'a' }, ':five': { N: '5' }, ':N': { S: 'N' },
  };
  const used = (expr) => Object.fromEntries(Object.entries(values).filter(([k]) => new RegExp(`${k}\\b`).test(expr)));
  for (const ConditionExpression of passes) {
    await ddb.send(new PutItemCommand({
      TableName: table,
      Item: { ...Key, n: { N: '3' }, s: { S: 'hello' }, l: { L: [{ N: '1' }] }, ss: { SS: ['a'] } },
      ConditionExpression,
      ExpressionAttributeValues: used(ConditionExpression),
    }));
  }
  const fails = [
    'n > :three',
    'n = :lo',
    // A type mismatch is false, not an error.
    'n = :he',
    'size(n) = :one',
    'NOT (n IN (:one, :three))',
  ];
  for (const ConditionExpression of fails) {
    await expectError(ddb.send(new DeleteItemCommand({
      TableName: table, Key, ConditionExpression, ExpressionAttributeValues: used(ConditionExpression),
    })), CCF, CCF_MESSAGE);
  }
  assert.equal((await get(Key)).n.N, '3');
  await ddb.send(new DeleteItemCommand({
    TableName: table, Key, ConditionExpression: 'n = :three', ExpressionAttributeValues: used(':three'),
  }));
  assert.equal(await get(Key), undefined);
});

// Projections are how callers fetch slices of large documents; legacy AttributesToGet still appears in old code.
test('ProjectionExpression with nested paths and list indexes; AttributesToGet', async () => {
  const Key = newKey('proj');
  await put({
    ...Key,
    a: { S: 'a' },
    m: { M: { x: { N: '1' }, y: { M: { z: { S: 'deep' }, w: { S: 'no' } } } } },
    l: { L: [{ S: 'l0' }, { M: { k: { S: 'l1k' }, j: { S: 'no' } } }, { S: 'l2' }] },
    other: { S: 'no' },
  });
  const { Item } = await ddb.send(new GetItemCommand({
    TableName: table, Key,
    ProjectionExpression: 'a, m.y.z, #l[1].k, l[2], absent, m.nope',
    ExpressionAttributeNames: { '#l': 'l' },
  }));
  assert.deepEqual(Item, {
    a: { S: 'a' },
    m: { M: { y: { M: { z: { S: 'deep' } } } } },
    l: { L: [{ M: { k: { S: 'l1k' } } }, { S: 'l2' }] },
  });
  const legacy = await ddb.send(new GetItemCommand({ TableName: table, Key, AttributesToGet: ['pk', 'a', 'absent'] }));
  assert.deepEqual(legacy.Item, { ...Key, a: { S: 'a' } });
});

// Older applications still send the pre-expression API; its comparison
// operators and update actions must keep their documented meaning.
test('legacy Expected with ComparisonOperator/ConditionalOperator and AttributeUpdates actions', async () => {
  const Key = newKey('legacy');
  await put({ ...Key, n: { N: '5' }, s: { S: 'hello' }, ss: { SS: ['a', 'b'] }, l: { L: [{ N: '1' }] }, gone: { S: 'x' } });
  const legacy = (Expected, AttributeUpdates, extra = {}) => ddb.send(new UpdateItemCommand({
    TableName: table, Key, Expected, AttributeUpdates, ...extra,
  }));

  const out = await legacy({
    n: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '1' }, { N: '5' }] },
    s: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'he' }] },
    absent: { ComparisonOperator: 'NULL' },
    ss: { ComparisonOperator: 'CONTAINS', AttributeValueList: [{ S: 'a' }] },
  }, {
    n: { Action: 'ADD', Value: { N: '10' } },
    ss: { Action: 'DELETE', Value: { SS: ['a'] } },
    l: { Action: 'ADD', Value: { L: [{ N: '2' }] } },
    gone: { Action: 'DELETE' },
    fresh: { Value: { S: 'put is the default action' } },
  }, { ReturnValues: 'UPDATED_NEW' });
  assert.deepEqual(out.Attributes, {
    n: { N: '15' }, ss: { SS: ['b'] }, l: { L: [{ N: '1' }, { N: '2' }] }, fresh: { S: 'put is the default action' },
  });

  // AND (the default) fails when one entry fails; OR passes when one entry passes.
  const mixed = {
    n: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '100' }] },
    s: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'hello' }] },
  };
  const bump = { n: { Action: 'ADD', Value: { N: '1' } } };
  await expectError(legacy(mixed, bump), CCF, CCF_MESSAGE);
  await expectError(legacy(mixed, bump, { ConditionalOperator: 'AND' }), CCF, CCF_MESSAGE);
  await legacy(mixed, bump, { ConditionalOperator: 'OR' });
  assert.deepEqual(await get(Key), {
    ...Key, n: { N: '16' }, s: { S: 'hello' }, ss: { SS: ['b'] }, l: { L: [{ N: '1' }, { N: '2' }] },
    fresh: { S: 'put is the default action' },
  });
  // NOT_NULL on a missing attribute fails; NE against a missing attribute passes.
  await expectError(legacy({ absent: { ComparisonOperator: 'NOT_NULL' } }, bump), CCF, CCF_MESSAGE);
  await legacy({ absent: { ComparisonOperator: 'NE', AttributeValueList: [{ N: '1' }] } }, bump);
  assert.equal((await get(Key)).n.N, '17');
});
