// The console (/console) in a real browser: headless Chromium (Debian's
// chromium, driven by puppeteer-core) opens the page of an emulator with
// tables and data, browses items (pages, an item's JSON, Query on the key,
// Scan with a filter, an index), then watches a TransactWriteItems held open
// by --transaction-hold-ms hold its lock and the writes that lose to it, and
// an optimistic-lock write that fails its version check, appear in the
// locks and conflicts panel. A screenshot is left in artifacts/console.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CreateTableCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import puppeteer from 'puppeteer-core';

import { expectError, makeTempDir, removeTempDir, startServer } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const HOLD_MS = 4000;

let server;
let ddb;
let browser;
let page;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `headless browser not found: ${CHROMIUM} (apt-get install chromium)`);
  server = await startServer({ args: ['--in-memory', '--transaction-hold-ms', String(HOLD_MS)] });
  ddb = server.client({ accessKeyId: 'AKIDCONSOLE', region: 'eu-west-1' });
  await ddb.send(new CreateTableCommand({
    TableName: 'Orders',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'customer', AttributeType: 'S' },
      { AttributeName: 'order', AttributeType: 'N' },
      { AttributeName: 'status', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'order', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: 'byStatus',
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }));
  await ddb.send(new UpdateTimeToLiveCommand({
    TableName: 'Orders', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' },
  }));
  const statuses = ['open', 'shipped', 'open', 'cancelled', 'open', 'shipped'];
  for (let i = 0; i < 30; i++) {
    await ddb.send(new PutItemCommand({
      TableName: 'Orders',
      Item: {
        customer: { S: `c${i % 3}` }, order: { N: String(i) }, status: { S: statuses[i % 6] },
        total: { N: String(10 * i) }, note: { S: `order number ${i}` },
      },
    }));
  }
  await ddb.send(new CreateTableCommand({
    TableName: 'Accounts',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }));
  for (const id of ['acct-1', 'acct-2']) {
    await ddb.send(new PutItemCommand({
      TableName: 'Accounts', Item: { id: { S: id }, balance: { N: '100' }, version: { N: '1' } },
    }));
  }
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    defaultViewport: { width: 1500, height: 900 },
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.endpoint}/console`);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'the page ran without script errors');
  await browser?.close();
  await server?.stop();
});

const text = (selector) => page.$eval(selector, (e) => e.textContent);
const rows = () => page.$$eval('#items tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
const headers = () => page.$$eval('#items thead th', (ths) => ths.map((th) => th.textContent));
// Waits for the page to show text in the element.
const shows = (selector, needle, timeout = 5000) => page.waitForFunction(
  (sel, n) => (document.querySelector(sel)?.textContent ?? '').includes(n), { timeout }, selector, needle);

// The rows of every page from the one shown on.
async function allRows() {
  const out = await rows();
  while (/more follow/.test(await text('#page-info'))) {
    await run('#next-page');
    out.push(...await rows());
  }
  return out;
}

async function setValue(selector, value) {
  await page.$eval(selector, (e, v) => { e.value = v; }, value);
}

// Clicks and waits for the item table to show a page again.
async function run(selector) {
  await page.$eval('#result', (e) => e.replaceChildren());
  await page.click(selector);
  await page.waitForSelector('#items, #no-items, #browse-error');
}

test('the tables of every namespace are listed with their settings', async () => {
  await page.waitForSelector('.table-entry[data-table="Orders"]');
  assert.equal(await page.$eval('.table-entry[data-table="Orders"]', (e) => e.dataset.namespace),
    'AKIDCONSOLE_eu-west-1');
  assert.equal(await text('.table-entry[data-table="Orders"] .count'), '30');
  assert.equal(await text('.table-entry[data-table="Accounts"] .count'), '2');
  await page.click('.table-entry[data-table="Orders"]');
  await page.waitForSelector('#items');
  const description = await text('#description');
  assert.match(description, /Key schemacustomer \(partition\), order \(sort\)/);
  assert.match(description, /Items30 \(/);
  assert.match(description, /byStatus \[global: status \(partition\); ALL\]/);
  assert.match(description, /StreamNEW_AND_OLD_IMAGES/);
  assert.match(description, /Time to Liveon: expires/);
});

test('items come in pages with the key columns first, and one item as JSON', async () => {
  assert.deepEqual((await headers()).slice(0, 2), ['customer', 'order']);
  assert.deepEqual((await headers()).slice(2), ['note', 'status', 'total']);
  assert.equal((await rows()).length, 25);
  assert.match(await text('#page-info'), /page 1: 25 item\(s\).*more follow/);
  await run('#next-page');
  assert.equal((await rows()).length, 5);
  assert.match(await text('#page-info'), /^page 2: 5 item\(s\), 5 read$/);
  await run('#prev-page');
  assert.equal((await rows()).length, 25);
  const [first] = await rows();
  await page.click('#items tbody tr[data-row="0"]');
  const shown = JSON.parse(await text('#item-json'));
  assert.deepEqual(shown.customer, { S: first[0] });
  assert.deepEqual(shown.order, { N: first[1] });
  assert.deepEqual(Object.keys(shown).sort(), ['customer', 'note', 'order', 'status', 'total']);
});

test('Query on the key and Scan with a filter', async () => {
  await page.click('#mode-query');
  await setValue('#query-hash', 'c1');
  await page.select('#query-op', '>=');
  await setValue('#query-range', '20');
  await page.click('#query-backward');
  await run('#run-query');
  assert.deepEqual((await rows()).map((r) => r.slice(0, 2)),
    [['c1', '28'], ['c1', '25'], ['c1', '22']]);

  await page.click('#mode-scan');
  await setValue('#filter', '#s = :v AND #t > :min');
  await setValue('#filter-names', '{"#s":"status","#t":"total"}');
  await setValue('#filter-values', '{":v":{"S":"cancelled"},":min":{"N":"100"}}');
  await run('#run-scan');
  const found = (await allRows()).map((r) => Number(r[1])).sort((a, b) => a - b);
  assert.deepEqual(found, [15, 21, 27]);

  await setValue('#filter', 'size(');
  await run('#run-scan');
  assert.match(await text('#browse-error'), /^ValidationException: Invalid FilterExpression/);
});

test('an index is browsed with its own key first', async () => {
  await page.click('#sources button[data-source="byStatus"]');
  await page.waitForSelector('#items');
  assert.deepEqual((await headers()).slice(0, 3), ['status', 'customer', 'order']);
  await page.click('#mode-query');
  await setValue('#query-hash', 'shipped');
  await run('#run-query');
  const found = await rows();
  assert.equal(found.length, 10);
  assert.ok(found.every((r) => r[0] === 'shipped'));
});

test('a held transaction\'s lock and the writes that lose to it appear live', async () => {
  // The panel is on the first screen: no click needed to see it.
  const box = await page.$eval('#live-section', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(box.x + box.width <= 1500 && box.y < 900, JSON.stringify(box));

  const held = ddb.send(new TransactWriteItemsCommand({
    TransactItems: [
      { Update: {
        TableName: 'Accounts', Key: { id: { S: 'acct-1' } },
        UpdateExpression: 'SET balance = balance - :amt, version = version + :one',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':amt': { N: '30' }, ':one': { N: '1' }, ':v': { N: '1' } },
      } },
      { Update: {
        TableName: 'Accounts', Key: { id: { S: 'acct-2' } },
        UpdateExpression: 'SET balance = balance + :amt', ExpressionAttributeValues: { ':amt': { N: '30' } },
      } },
    ],
  }));
  await shows('#transactions', 'TransactWriteItems');
  await shows('#transactions', 'Accounts: id=acct-1');
  await shows('#locks', 'Accounts: id=acct-1');
  await shows('#locks', 'Accounts: id=acct-2');

  // A plain write to the held item loses.
  await expectError(ddb.send(new PutItemCommand({
    TableName: 'Accounts', Item: { id: { S: 'acct-1' }, balance: { N: '0' }, version: { N: '9' } },
  })), 'TransactionConflictException', 'Transaction is ongoing for the item');
  await shows('#conflicts', 'TransactionConflict');
  const conflict = await text('#conflicts .conflict');
  assert.match(conflict, /TransactionConflict\s*PutItem on Accounts/);
  assert.match(conflict, /id=acct-1/);
  assert.match(conflict, /AKIDCONSOLE_eu-west-1/);

  // A transaction that needs a held item is cancelled, its reasons in order.
  await expectError(ddb.send(new TransactWriteItemsCommand({
    TransactItems: [
      { Put: { TableName: 'Orders', Item: { customer: { S: 'c9' }, order: { N: '1' }, status: { S: 'open' } } } },
      { ConditionCheck: {
        TableName: 'Accounts', Key: { id: { S: 'acct-2' } }, ConditionExpression: 'attribute_exists(id)',
      } },
    ],
  })), 'TransactionCanceledException',
  'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]');
  await shows('#conflicts', 'TransactionCanceled');
  const cancelled = await text('#conflicts .conflict');
  assert.match(cancelled, /TransactionCanceled\s*TransactWriteItems/);
  assert.match(cancelled, /0: None — Orders customer=c9, order=1/);
  assert.match(cancelled, /1: TransactionConflict — Accounts id=acct-2/);

  await page.screenshot({ path: (mkdirSync(ARTIFACTS, { recursive: true }), join(ARTIFACTS, 'console.png')) });
  await held;
  await shows('#locks', 'None.', HOLD_MS);
  await shows('#transactions', 'None.');

  // The optimistic lock: a writer with the old version fails its check.
  await expectError(ddb.send(new UpdateItemCommand({
    TableName: 'Accounts', Key: { id: { S: 'acct-1' } },
    UpdateExpression: 'SET balance = :b, version = :next', ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':b': { N: '1' }, ':next': { N: '2' }, ':expected': { N: '1' } },
  })), 'ConditionalCheckFailedException', 'The conditional request failed');
  await shows('#conflicts', 'ConditionalCheckFailed');
  const newest = await text('#conflicts .conflict');
  assert.match(newest, /ConditionalCheckFailed\s*UpdateItem on Accounts/);
  assert.equal(await page.$$eval('#conflicts .conflict', (c) => c.length), 3);
});

test('with --auth-credentials the page signs its requests with the key typed in', async () => {
  const dir = makeTempDir();
  const file = join(dir, 'credentials');
  writeFileSync(file, '[default]\naws_access_key_id = AKIDSIGNED\naws_secret_access_key = s3cr3t/+key\n');
  const signed = await startServer({ args: ['--in-memory', '--auth-credentials', file] });
  const other = await browser.newPage();
  try {
    const client = signed.client({ accessKeyId: 'AKIDSIGNED', secretAccessKey: 's3cr3t/+key' });
    await client.send(new CreateTableCommand({
      TableName: 'Signed', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }));
    await client.send(new PutItemCommand({ TableName: 'Signed', Item: { id: { S: 'x' } } }));
    await other.goto(`${signed.endpoint}/console`);
    // Unsigned, the control API refuses the page.
    await other.waitForFunction(() => document.getElementById('status').textContent.startsWith('error:'));
    await other.type('#credentials', 'AKIDSIGNED:s3cr3t/+key');
    await other.waitForSelector('.table-entry[data-table="Signed"]', { timeout: 8000 });
    await other.click('.table-entry[data-table="Signed"]');
    await other.waitForSelector('#items');
    assert.deepEqual(await other.$$eval('#items tbody td', (tds) => tds.map((td) => td.textContent)), ['x']);
    assert.match(await other.$eval('#status', (e) => e.textContent), /^connected to /);
  } finally {
    await other.close();
    await signed.stop();
    removeTempDir(dir);
  }
});
