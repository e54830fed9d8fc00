// Namespaces: like DynamoDB Local, each access key and region pair has its
// own tables unless the server runs with --shared-db.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

async function listAll(client) {
  return (await client.send(new ListTablesCommand({}))).TableNames;
}

describe('separate namespaces (default)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  // Two developers sharing one emulator with different keys must not see each other's tables.
  test('different access keys do not see each other\'s tables', async () => {
    const alice = server.client({ accessKeyId: 'AKIDALICE' });
    const bob = server.client({ accessKeyId: 'AKIDBOB' });
    const aliceOnly = await createSimpleTable(alice, tableName('alice'));
    const bobOnly = await createSimpleTable(bob, tableName('bob'));

    assert.deepEqual(await listAll(alice), [aliceOnly]);
    assert.deepEqual(await listAll(bob), [bobOnly]);
    await expectError(
      bob.send(new DescribeTableCommand({ TableName: aliceOnly })),
      'ResourceNotFoundException', `Requested resource not found: Table: ${aliceOnly} not found`);
    await expectError(
      bob.send(new GetItemCommand({ TableName: aliceOnly, Key: { pk: { S: 'x' } } })),
      'ResourceNotFoundException', 'Requested resource not found');
  });

  // The same table name under two keys is two tables with their own items.
  test('the same table name under two keys holds separate items', async () => {
    const one = server.client({ accessKeyId: 'AKIDONE' });
    const two = server.client({ accessKeyId: 'AKIDTWO' });
    const name = tableName('same');
    await createSimpleTable(one, name);
    await createSimpleTable(two, name);
    await one.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, who: { S: 'one' } } }));
    const { Item: seenByTwo } = await two.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }));
    assert.equal(seenByTwo, undefined);
    await two.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, who: { S: 'two' } } }));
    const { Item: seenByOne } = await one.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }));
    assert.equal(seenByOne.who.S, 'one');
    const d1 = (await one.send(new DescribeTableCommand({ TableName: name }))).Table;
    const d2 = (await two.send(new DescribeTableCommand({ TableName: name }))).Table;
    assert.notEqual(d1.TableId, d2.TableId);
  });

  // Regions are separate in DynamoDB; the emulator keys namespaces by region too, and ARNs name the region.
  test('the same access key in another region is a separate namespace', async () => {
    const east = server.client({ accessKeyId: 'AKIDREGION', region: 'us-east-1' });
    const west = server.client({ accessKeyId: 'AKIDREGION', region: 'us-west-2' });
    const eastOnly = await createSimpleTable(east, tableName('east'));
    assert.deepEqual(await listAll(west), []);
    await expectError(
      west.send(new DescribeTableCommand({ TableName: eastOnly })),
      'ResourceNotFoundException', `Requested resource not found: Table: ${eastOnly} not found`);
    const westOnly = await createSimpleTable(west, tableName('west'));
    const { Table } = await west.send(new DescribeTableCommand({ TableName: westOnly }));
    assert.equal(Table.TableArn, `arn:aws:dynamodb:us-west-2:000000000000:table/${westOnly}`);
    assert.deepEqual(await listAll(east), [eastOnly]);
  });
});

describe('--shared-db', () => {
  let server;
  before(async () => { server = await startServer({ args: ['--in-memory', '--shared-db'] }); });
  after(async () => { await server?.stop(); });

  // With --shared-db every key and region sees one set of tables, as DynamoDB Local's -sharedDb does.
  test('tables and items are shared across access keys and regions', async () => {
    const a = server.client({ accessKeyId: 'AKIDSHAREDA' });
    const b = server.client({ accessKeyId: 'AKIDSHAREDB' });
    const c = server.client({ accessKeyId: 'AKIDSHAREDC', region: 'eu-west-1' });
    const name = await createSimpleTable(a, tableName('shared'));
    await a.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, v: { S: 'from a' } } }));

    assert.deepEqual(await listAll(b), [name]);
    assert.deepEqual(await listAll(c), [name]);
    const { Item } = await b.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }));
    assert.deepEqual(Item, { pk: { S: 'k' }, v: { S: 'from a' } });
    const { Item: fromC } = await c.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }));
    assert.deepEqual(fromC, Item);
    await expectError(createSimpleTable(b, name), 'ResourceInUseException', `Table already exists: ${name}`);
  });
});
