// --auth-credentials: the JS SDK v3 signs as it does for DynamoDB, and is
// refused with DynamoDB's errors when its credentials or clock are wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

import {
  createSimpleTable,
  expectError,
  makeTempDir,
  removeTempDir,
  startServer,
  tableName,
} from './harness.mjs';

const CREDENTIALS = `[default]
aws_access_key_id = AKIDJSAUTH
aws_secret_access_key = js/secret+key

[other]
aws_access_key_id = AKIDJSOTHER
aws_secret_access_key = other-secret
`;

const MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for '
  + 'details.';

describe('SigV4 verification (--auth-credentials)', () => {
  let server;
  let dir;
  const clients = [];

  // A client of its own (not the harness's), so that clock options can be set.
  function client({ accessKeyId = 'AKIDJSAUTH', secretAccessKey = 'js/secret+key', ...rest } = {}) {
    const c = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
      ...rest,
    });
    clients.push(c);
    return c;
  }

  before(async () => {
    dir = makeTempDir();
    const file = join(dir, 'credentials');
    writeFileSync(file, CREDENTIALS);
    server = await startServer({ args: ['--in-memory', '--auth-credentials', file] });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
    if (dir) removeTempDir(dir);
  });

  // Valid credentials of either profile work for reads and writes.
  test('valid credentials are accepted', async () => {
    const c = client();
    const name = await createSimpleTable(c, tableName('auth'));
    await c.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' } } }));
    const got = await c.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }));
    assert.deepEqual(got.Item, { pk: { S: 'a' } });
    const other = client({ accessKeyId: 'AKIDJSOTHER', secretAccessKey: 'other-secret' });
    assert.deepEqual((await other.send(new ListTablesCommand({}))).TableNames, []);
  });

  // A known key with the wrong secret.
  test('wrong secret: InvalidSignatureException', async () => {
    const err = await expectError(
      client({ secretAccessKey: 'wrong' }).send(new ListTablesCommand({})),
      'InvalidSignatureException', MISMATCH);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  // A key no profile has.
  test('unknown key: UnrecognizedClientException', async () => {
    const err = await expectError(
      client({ accessKeyId: 'AKIDNOBODY' }).send(new ListTablesCommand({})),
      'UnrecognizedClientException', 'The security token included in the request is invalid.');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  // A client clock 20 minutes slow, no retries: the signature has expired.
  test('expired date: Signature expired', async () => {
    let err;
    try {
      await client({ systemClockOffset: -20 * 60 * 1000 }).send(new ListTablesCommand({}));
    } catch (e) {
      err = e;
    }
    assert.equal(err?.name, 'InvalidSignatureException');
    assert.match(err.message,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  // With retries the SDK corrects its clock from the response's Date header,
  // as it does against DynamoDB, and the retry succeeds.
  test('the SDK recovers from clock skew using the Date header', async () => {
    const c = client({ systemClockOffset: -20 * 60 * 1000, maxAttempts: 3 });
    const out = await c.send(new ListTablesCommand({}));
    assert.ok(Array.isArray(out.TableNames));
    assert.ok(Math.abs(c.config.systemClockOffset) < 60 * 1000, `${c.config.systemClockOffset}`);
  });

  // The body is changed after signing: the payload hash gives it away.
  test('tampered body: InvalidSignatureException', async () => {
    const c = client();
    c.middlewareStack.add((next) => async (args) => {
      args.request.body = '{"Limit":2}';
      args.request.headers['content-length'] = String(args.request.body.length);
      return next(args);
    }, { step: 'deserialize', name: 'tamperAfterSigning' });
    await expectError(c.send(new ListTablesCommand({ Limit: 1 })), 'InvalidSignatureException',
      MISMATCH);
  });
});
