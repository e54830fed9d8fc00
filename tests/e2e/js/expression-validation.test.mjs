// Validation of expressions and of the legacy parameters: each bad request
// must fail with DynamoDB's exact error name and message, must change
// nothing, and each limit must accept the value on its allowed side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const VALIDATION = 'ValidationException';
const UPDATE = 'Invalid UpdateExpression: ';
const CONDITION = 'Invalid ConditionExpression: ';
const PROJECTION = 'Invalid ProjectionExpression: ';
const MIXED = 'Can not use both expression and non-expression parameters in the same request: ';
const BAD_TYPE = 'An operand in the update expression has an incorrect data type';
const BAD_PATH = 'The document path provided in the update expression is invalid for update';
// PutItem, UpdateItem and DeleteItem report every check of the request itself
// (expressions, placeholders, parameter combinations) inside this envelope
// (DynamoDB, 2026-10-09); checks against the table or the stored item, and
// GetItem's checks, stay bare.
const ONE = (message) => `1 validation error detected: ${message}`;

let server;
let ddb;
let table;       // hash key pk (S)
let rangeTable;  // hash key pk (S), range key sk (N)

// The item every rejected request targets; it must be unchanged at the end.
const KEY = { pk: { S: 'target' } };
const ITEM = { ...KEY, s: { S: 'text' }, n: { N: '1' }, l: { L: [{ N: '1' }] }, m: { M: { x: { N: '1' } } } };

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('xval'));
  rangeTable = await createSimpleTable(ddb, tableName('xvalrange'), { skType: 'N' });
  await ddb.send(new PutItemCommand({ TableName: table, Item: ITEM }));
});

after(async () => {
  await server?.stop();
});

const update = (UpdateExpression, ExpressionAttributeValues, extra = {}) => new UpdateItemCommand({
  TableName: table, Key: KEY, UpdateExpression, ExpressionAttributeValues, ...extra,
});
const putIf = (ConditionExpression, extra = {}) => new PutItemCommand({
  TableName: table, Item: { ...KEY, replaced: { BOOL: true } }, ConditionExpression, ...extra,
});
const V = { ':v': { N: '1' } };

// Rows: why the case exists, the command to send, then the exact message
// (every row is a ValidationException). Commands are built lazily.
const rejected = [
  ['a syntax error names the offending token and its neighbours',
    () => update('SET a = = :v', V),
    ONE(`${UPDATE}Syntax error; token: "=", near: "= = :v"`)],
  ['a syntax error at the end reports <EOF> and keeps the trailing space',
    () => update('SET a = ', undefined),
    ONE(`${UPDATE}Syntax error; token: "<EOF>", near: "= "`)],
  ['an empty UpdateExpression',
    () => update('', undefined),
    ONE(`${UPDATE}The expression can not be empty;`)],
  ['a reserved word used as a bare attribute name',
    () => update('SET name = :v', V),
    ONE(`${UPDATE}Attribute name is a reserved keyword; reserved keyword: name`)],
  ['reserved words keep the case they were written in',
    () => putIf('attribute_exists(Status)'),
    ONE(`${CONDITION}Attribute name is a reserved keyword; reserved keyword: Status`)],
  ['a value placeholder with no ExpressionAttributeValues',
    () => update('SET a = :v', undefined),
    ONE(`${UPDATE}An expression attribute value used in expression is not defined; attribute value: :v`)],
  ['an undefined value placeholder in a condition',
    () => update('SET a = :v', V, { ConditionExpression: 'a = :w' }),
    ONE(`${CONDITION}An expression attribute value used in expression is not defined; attribute value: :w`)],
  ['a name placeholder that is not defined',
    () => update('SET #n = :v', V),
    ONE(`${UPDATE}An expression attribute name used in the document path is not defined; attribute name: #n`)],
  ['an unused value',
    () => update('SET a = :v', { ...V, ':x': { N: '2' } }),
    ONE('Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}')],
  ['an unused name',
    () => update('SET a = :v', V, { ExpressionAttributeNames: { '#u': 'u' } }),
    ONE('Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}')],
  ['an empty attribute name in a condition',
    () => putIf('attribute_exists(#a)', { ExpressionAttributeNames: { '#a': '' } }),
    ONE('ExpressionAttributeNames contains invalid value: Empty attribute name for key #a')],
  ['an empty attribute name in an update',
    () => update('SET #a = :v', V, { ExpressionAttributeNames: { '#a': '' } }),
    ONE('ExpressionAttributeNames contains invalid value: Empty attribute name for key #a')],
  ['usage counts across the update and condition expressions together',
    () => update('SET a = :v', V, {
      ConditionExpression: 'attribute_exists(#c)',
      ExpressionAttributeNames: { '#c': 'c', '#d': 'd' },
    }),
    ONE('Value provided in ExpressionAttributeNames unused in expressions: keys: {#d}')],
  ['SET on the hash key',
    () => update('SET pk = :v', { ':v': { S: 'other' } }),
    'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key'],
  ['REMOVE of the hash key through an alias',
    () => update('REMOVE #k', undefined, { ExpressionAttributeNames: { '#k': 'pk' } }),
    'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key'],
  ['ADD to the range key',
    () => new UpdateItemCommand({
      TableName: rangeTable, Key: { pk: { S: 'x' }, sk: { N: '1' } },
      UpdateExpression: 'ADD sk :v', ExpressionAttributeValues: V,
    }),
    'One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key'],
  ['a path and its child overlap',
    () => update('SET a = :v, a.b = :v', V),
    ONE(`${UPDATE}Two document paths overlap with each other; must remove or rewrite one of these paths; ` +
      'path one: [a], path two: [a, b]')],
  ['the same path in SET and REMOVE overlaps',
    () => update('SET a = :v REMOVE a', V),
    ONE(`${UPDATE}Two document paths overlap with each other; must remove or rewrite one of these paths; ` +
      'path one: [a], path two: [a]')],
  ['overlap is detected after alias substitution, earlier path first',
    () => update('SET c.b.#c = :v, c = :v', V, { ExpressionAttributeNames: { '#c': 'c' } }),
    ONE(`${UPDATE}Two document paths overlap with each other; must remove or rewrite one of these paths; ` +
      'path one: [c, b, c], path two: [c]')],
  ['map and list access at one level conflict',
    () => update('SET a.b = :v, a[1] = :v', V),
    ONE(`${UPDATE}Two document paths conflict with each other; must remove or rewrite one of these paths; ` +
      'path one: [a, b], path two: [a, [1]]')],
  ['each section may appear once',
    () => update('SET a = :v SET b = :v', V),
    ONE(`${UPDATE}The "SET" section can only be used once in an update expression;`)],
  ['interleaving does not make a second section legal',
    () => update('REMOVE a SET b = :v REMOVE c', V),
    ONE(`${UPDATE}The "REMOVE" section can only be used once in an update expression;`)],
  ['ADD takes a number or a set, not a string',
    () => update('ADD a :v', { ':v': { S: 'x' } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND`)],
  ['ADD with a list',
    () => update('ADD a :v', { ':v': { L: [] } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND`)],
  ['DELETE takes a set, not a number',
    () => update('DELETE a :v', V),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND`)],
  ['ADD with a map names the allowed type set',
    () => update('ADD a :v', { ':v': { M: {} } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND`)],
  ['DELETE with a string, as AWS answers it',
    () => update('DELETE a :v', { ':v': { S: 'x' } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND`)],
  ['+ with a string value is rejected before evaluation',
    () => update('SET a = n + :v', { ':v': { S: 'x' } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator or function: +, operand type: S`)],
  ['list_append with a non-list value',
    () => update('SET l = list_append(l, :v)', { ':v': { S: 'x' } }),
    ONE(`${UPDATE}Incorrect operand type for operator or function; operator or function: list_append, operand type: S`)],
  ['+ on a string attribute fails at run time',
    () => update('SET s = s + :v', V),
    BAD_TYPE],
  ['ADD a number to a list attribute',
    () => update('ADD l :v', V),
    BAD_TYPE],
  ['list_append onto a map attribute',
    () => update('SET m = list_append(m, :v)', { ':v': { L: [] } }),
    BAD_TYPE],
  ['reading an attribute that does not exist',
    () => update('SET a = nothere', undefined),
    'The provided expression refers to an attribute that does not exist in the item'],
  ['SET below a missing map',
    () => update('SET nothere.b = :v', V),
    BAD_PATH],
  ['SET a map key inside a list',
    () => update('SET l.b = :v', V),
    BAD_PATH],
  ['Expected together with ConditionExpression',
    () => putIf('attribute_exists(pk)', { Expected: { pk: { Exists: true, Value: { S: 'target' } } } }),
    ONE(`${MIXED}Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}`)],
  ['AttributeUpdates together with UpdateExpression',
    () => update('SET a = :v', V, { AttributeUpdates: { b: { Action: 'PUT', Value: { N: '1' } } } }),
    ONE(`${MIXED}Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}`)],
  ['AttributesToGet together with ProjectionExpression',
    () => new GetItemCommand({ TableName: table, Key: KEY, AttributesToGet: ['s'], ProjectionExpression: 'n' }),
    `${MIXED}Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}`],
  // The enveloped message names no null expression, for any write.
  ['ExpressionAttributeValues without an expression',
    () => new PutItemCommand({ TableName: table, Item: KEY, ExpressionAttributeValues: V }),
    ONE('ExpressionAttributeValues can only be specified when using expressions')],
  ['ExpressionAttributeValues without an expression on DeleteItem',
    () => new DeleteItemCommand({ TableName: table, Key: KEY, ExpressionAttributeValues: V }),
    ONE('ExpressionAttributeValues can only be specified when using expressions')],
  ['ExpressionAttributeNames beside Expected on DeleteItem',
    () => new DeleteItemCommand({
      TableName: table, Key: KEY, Expected: { a: { Exists: false } }, ExpressionAttributeNames: { '#a': 'a' },
    }),
    ONE('ExpressionAttributeNames can only be specified when using expressions')],
  ['an empty ExpressionAttributeValues map on DeleteItem',
    () => new DeleteItemCommand({ TableName: table, Key: KEY, ConditionExpression: 'attribute_exists(a)', ExpressionAttributeValues: {} }),
    ONE('ExpressionAttributeValues must not be empty')],
  ['an empty ConditionExpression on DeleteItem',
    () => new DeleteItemCommand({ TableName: table, Key: KEY, ConditionExpression: '' }),
    ONE(`${CONDITION}The expression can not be empty;`)],
  ['a malformed Expected condition on DeleteItem',
    () => new DeleteItemCommand({ TableName: table, Key: KEY, Expected: { a: { Exists: false, Value: { S: 'x' } } } }),
    ONE('One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a')],
  // An unknown Expected operator is a constraint error, enveloped once.
  ['an unknown Expected ComparisonOperator',
    () => new PutItemCommand({ TableName: table, Item: KEY, Expected: { a: { ComparisonOperator: 'XX', AttributeValueList: [{ S: 'x' }] } } }),
    "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]'],
  ['an unknown function in an update',
    () => update('SET a = foo(:v)', V),
    ONE(`${UPDATE}Invalid function name; function: foo`)],
  ['function names are case-sensitive',
    () => putIf('attRIbute_exIsts(a)'),
    ONE(`${CONDITION}Invalid function name; function: attRIbute_exIsts`)],
  ['a condition function inside an update',
    () => update('SET a = size(l)', undefined),
    ONE(`${UPDATE}The function is not allowed in an update expression; function: size`)],
  ['an update function inside a condition',
    () => putIf('if_not_exists(a, :v) = :v', { ExpressionAttributeValues: V }),
    ONE(`${CONDITION}The function is not allowed in a condition expression; function: if_not_exists`)],
  ['a wrong operand count',
    () => putIf('begins_with(s)'),
    ONE(`${CONDITION}Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1`)],
  ['size of a size: the inner size is a number',
    () => putIf('size(size(s)) > :v', { ExpressionAttributeValues: V }),
    ONE(`${CONDITION}Incorrect operand type for operator or function; operator or function: size, operand type: N`)],
  ['begins_with with a size as the prefix',
    () => putIf('begins_with(s, size(s))'),
    ONE(`${CONDITION}Incorrect operand type for operator or function; operator or function: begins_with, operand type: N`)],
  ['comparing a path with itself',
    () => putIf('#a = s', { ExpressionAttributeNames: { '#a': 's' } }),
    ONE(`${CONDITION}The first operand must be distinct from the remaining operands for this operator or function; ` +
      'operator: =, first operand: [s]')],
  ['doubled parentheses',
    () => putIf('((attribute_not_exists(pk)))'),
    ONE(`${CONDITION}The expression has redundant parentheses;`)],
  ['an UpdateExpression of 4097 bytes',
    () => update(`SET a = :v${' '.repeat(4097 - 10)}`, V),
    ONE(`${UPDATE}Expression size has exceeded the maximum allowed size; expression size: 4097`)],
  ['the size limit counts UTF-8 bytes: 4096 characters with one two-byte character',
    () => update(`SET a = :v${' '.repeat(4096 - 11)}é`, V),
    ONE(`${UPDATE}Expression size has exceeded the maximum allowed size; expression size: 4097`)],
  ['a ConditionExpression path 33 levels deep',
    () => putIf(`attribute_not_exists(a${'.b'.repeat(32)})`),
    ONE(`${CONDITION}The document path has too many nesting levels; nesting levels: 33`)],
  ['list indexes count toward the depth too',
    () => new GetItemCommand({ TableName: table, Key: KEY, ProjectionExpression: `l${'[0]'.repeat(32)}` }),
    `${PROJECTION}The document path has too many nesting levels; nesting levels: 33`],
  ['a projection may not look into the hash key',
    () => new GetItemCommand({ TableName: table, Key: KEY, ProjectionExpression: '#a.b.c', ExpressionAttributeNames: { '#a': 'pk' } }),
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"],
  ['a projection may not index into the hash key',
    () => new GetItemCommand({ TableName: table, Key: KEY, ProjectionExpression: '#a[0]', ExpressionAttributeNames: { '#a': 'pk' } }),
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"],
  ['an UpdateExpression path 33 levels deep',
    () => update(`SET a${'.b'.repeat(32)} = :v`, V),
    ONE(`${UPDATE}The document path has too many nesting levels; nesting levels: 33`)],
  ['IN with 101 operands',
    () => {
      const values = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`:v${i}`, { N: String(i) }]));
      return putIf(`n IN (${Object.keys(values).join(', ')})`, { ExpressionAttributeValues: values });
    },
    ONE(`${CONDITION}The IN operator is provided with too many operands; number of operands: 101`)],
];

for (const [why, command, message] of rejected) {
  // One test per row so a failure names the case.
  test(`rejects: ${why}`, async () => {
    await expectError(ddb.send(command()), VALIDATION, message);
  });
}

// Validation runs before the item is read, so it fails the same way on a missing item.
test('validation errors win over a condition that would fail', async () => {
  await expectError(ddb.send(new UpdateItemCommand({
    TableName: table, Key: { pk: { S: 'never-written' } },
    UpdateExpression: 'SET name = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: V,
  })), VALIDATION, ONE(`${UPDATE}Attribute name is a reserved keyword; reserved keyword: name`));
  await expectError(ddb.send(new DeleteItemCommand({
    TableName: table, Key: { pk: { S: 'never-written' } }, ConditionExpression: 'a = :v',
  })), VALIDATION, ONE(`${CONDITION}An expression attribute value used in expression is not defined; attribute value: :v`));
});

// Nothing rejected above may have changed the target item or created another.
test('rejected requests leave the item unchanged', async () => {
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: KEY, ConsistentRead: true }));
  assert.deepEqual(Item, ITEM);
  const { Item: none } = await ddb.send(new GetItemCommand({
    TableName: table, Key: { pk: { S: 'never-written' } }, ConsistentRead: true,
  }));
  assert.equal(none, undefined);
  const { Item: range } = await ddb.send(new GetItemCommand({
    TableName: rangeTable, Key: { pk: { S: 'x' }, sk: { N: '1' } }, ConsistentRead: true,
  }));
  assert.equal(range, undefined);
});

// The allowed side of the size limit: exactly 4096 bytes is accepted, in every expression kind.
test('accepts expressions of exactly 4096 bytes', async () => {
  const Key = { pk: { S: 'size' } };
  const updateExpr = `SET a = :v${' '.repeat(4096 - 10)}`;
  assert.equal(Buffer.byteLength(updateExpr), 4096);
  const conditionExpr = `attribute_not_exists(zz)${' '.repeat(4096 - 24)}`;
  assert.equal(Buffer.byteLength(conditionExpr), 4096);
  await ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression: updateExpr, ConditionExpression: conditionExpr,
    ExpressionAttributeValues: V,
  }));
  const projection = `a${' '.repeat(4095)}`;
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key, ProjectionExpression: projection }));
  assert.deepEqual(Item, { a: { N: '1' } });
  // Aliases are not expanded before the size is measured.
  const longName = 'x'.repeat(5000);
  await ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression: `SET #n = :v${' '.repeat(4096 - 11)}`,
    ExpressionAttributeNames: { '#n': longName }, ExpressionAttributeValues: V,
  }));
  const { Item: got } = await ddb.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
  assert.deepEqual(got[longName], { N: '1' });
});

// The allowed side of the depth limit: a 32-level path works in conditions, projections and updates.
test('accepts document paths 32 levels deep', async () => {
  const Key = { pk: { S: 'deep' } };
  // a.b.b...b: a map 31 levels down under `a`, with the leaf at path depth 32.
  let nested = { S: 'leaf' };
  for (let i = 0; i < 31; i += 1) nested = { M: { b: nested } };
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...Key, a: nested } }));
  const path = `a${'.b'.repeat(31)}`;
  await ddb.send(new UpdateItemCommand({
    TableName: table, Key, UpdateExpression: `SET ${path} = :v`, ConditionExpression: `attribute_exists(${path})`,
    ExpressionAttributeValues: { ':v': { S: 'new leaf' } },
  }));
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key, ProjectionExpression: path }));
  let leaf = Item.a;
  for (let i = 0; i < 31; i += 1) leaf = leaf.M.b;
  assert.deepEqual(leaf, { S: 'new leaf' });
  const { Item: viaIndex } = await ddb.send(new GetItemCommand({
    TableName: table, Key: KEY, ProjectionExpression: `l${'[0]'.repeat(31)}`,
  }));
  // l[0] is a number, so deeper indexes find nothing; the point is that it is accepted.
  assert.deepEqual(viaIndex, {});
});

// The allowed side of the IN limit: 100 operands, evaluated both ways.
test('accepts IN with 100 operands', async () => {
  const values = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`:v${i}`, { N: String(i) }]));
  const ConditionExpression = `n IN (${Object.keys(values).join(', ')})`;
  const Key = { pk: { S: 'in' } };
  const putN = (n) => ddb.send(new PutItemCommand({
    TableName: table, Item: { ...Key, n: { N: String(n) } }, ConditionExpression, ExpressionAttributeValues: values,
  }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...Key, n: { N: '99' } } }));
  await putN(100);
  // n is now 100, which is not in the list.
  await expectError(putN(0), 'ConditionalCheckFailedException', 'The conditional request failed');
});
