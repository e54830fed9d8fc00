// CORS from a real browser: headless Chromium (Debian's chromium, driven by
// puppeteer-core) on a page of another origin calls the emulator with
// fetch, as a browser-based client or GUI does. Its custom headers
// (X-Amz-Target, Authorization, the JSON content type) make the browser send
// a preflight OPTIONS first; with --cors naming the page's origin the calls
// go through and the request id header is readable, with another origin or
// without --cors the browser blocks them. The control API refuses the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';

import puppeteer from 'puppeteer-core';

import { startServer, tableName } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

let browser;
let page;
let pageServer;
let pageOrigin;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `headless browser not found: ${CHROMIUM} (apt-get install chromium)`);
  pageServer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>a browser client</title><p>client</p>');
  });
  await new Promise((res) => pageServer.listen(0, '127.0.0.1', res));
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.goto(`${pageOrigin}/`);
});

after(async () => {
  await browser?.close();
  await new Promise((res) => (pageServer ? pageServer.close(res) : res()));
});

// Runs one DynamoDB call with fetch from the page; resolves to
// {status, body, requestId} or {error} when the browser blocked it.
function callFromPage(endpoint, operation, body) {
  return page.evaluate(async (url, op, json) => {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': `DynamoDB_20120810.${op}`,
          'X-Amz-Date': '20260101T000000Z',
          Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBROWSER/20260101/us-east-1/dynamodb/aws4_request, '
            + 'SignedHeaders=host;x-amz-date;x-amz-target, Signature=abc',
        },
        body: JSON.stringify(json),
      });
      return { status: r.status, body: await r.json(), requestId: r.headers.get('x-amzn-requestid') };
    } catch (e) {
      return { error: `${e.name}: ${e.message}` };
    }
  }, endpoint, operation, body);
}

test('a page of an allowed origin calls the emulator through a preflight', async () => {
  const server = await startServer({ args: ['--in-memory', '--cors', pageOrigin] });
  try {
    const listed = await callFromPage(server.endpoint, 'ListTables', {});
    assert.deepEqual(listed.body, { TableNames: [] }, JSON.stringify(listed));
    assert.equal(listed.status, 200);
    assert.match(listed.requestId ?? '', /^[A-Z0-9]{52}$/, 'x-amzn-RequestId is exposed to the page');

    const table = tableName('browser');
    const created = await callFromPage(server.endpoint, 'CreateTable', {
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
    assert.equal(created.status, 200, JSON.stringify(created));
    // A large item: the browser asks for gzip, the emulator answers it
    // uncompressed (never for an Origin), and the page reads it whole.
    const big = 'x'.repeat(20000);
    assert.equal((await callFromPage(server.endpoint, 'PutItem',
      { TableName: table, Item: { pk: { S: 'a' }, big: { S: big } } })).status, 200);
    const got = await callFromPage(server.endpoint, 'GetItem', { TableName: table, Key: { pk: { S: 'a' } } });
    assert.equal(got.status, 200);
    assert.equal(got.body.Item.big.S, big);

    // A page cannot reset the data through the control API, even with a
    // request that needs no preflight (a POST of text/plain): refused.
    const reset = await page.evaluate(async (url) => {
      try {
        await fetch(`${url}/_emu/reset`, { method: 'POST', body: '{"All":true}' });
        return 'answered';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    }, server.endpoint);
    assert.equal(reset, 'TypeError: Failed to fetch');
    const stillThere = await fetch(`${server.endpoint}/_emu/namespaces`).then((r) => r.json());
    assert.ok(stillThere.Namespaces.some((ns) => ns.Tables.includes(table)), JSON.stringify(stillThere));

    // An error reaches the page as DynamoDB's, CORS headers and all.
    const missing = await callFromPage(server.endpoint, 'GetItem',
      { TableName: 'nope', Key: { pk: { S: 'a' } } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.__type, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
  } finally {
    await server.stop();
  }
});

test('the browser blocks a page of another origin, and any page without --cors', async () => {
  for (const args of [['--in-memory', '--cors', 'http://somewhere.else.example'], ['--in-memory']]) {
    const server = await startServer({ args });
    try {
      const blocked = await callFromPage(server.endpoint, 'ListTables', {});
      assert.deepEqual(blocked, { error: 'TypeError: Failed to fetch' }, `with ${args.join(' ')}`);
    } finally {
      await server.stop();
    }
  }
});
