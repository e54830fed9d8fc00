// The request sequence of the Java amazon-dynamodb-lock-client (not runnable
// here), replayed through JS v3 with its exact expression strings, and checked
// under contention: of several owners racing for one step, exactly one wins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const CCF = 'ConditionalCheckFailedException';
const CCF_MESSAGE = 'The conditional request failed';
const RACERS = 8;

// Condition and update strings exactly as LockDaoConstants builds them.
const ACQUIRE_PK = 'attribute_not_exists(#pk)';
const ACQUIRE_PK_SK = 'attribute_not_exists(#pk) AND attribute_not_exists(#sk)';
const EXPIRED_PK = 'attribute_exists(#pk) AND #rvn = :rvn';
const EXPIRED_PK_SK = 'attribute_exists(#pk) AND attribute_exists(#sk) AND #rvn = :rvn';
const RELEASED_PK = 'attribute_exists(#pk) AND #ir = :ir';
const RELEASED_PK_SK = 'attribute_exists(#pk) AND attribute_exists(#sk) AND #ir = :ir';
const OWNER_RVN_PK = 'attribute_exists(#pk) AND #rvn = :rvn AND #on = :on';
const OWNER_RVN_PK_SK = 'attribute_exists(#pk) AND attribute_exists(#sk) AND #rvn = :rvn AND #on = :on ';
const HEARTBEAT = 'SET #ld = :ld, #rvn = :newRvn';
const MARK_RELEASED = 'SET #ir = :ir';

let server;
let ddb;
let pkTable;
let skTable;

before(async () => {
  server = await startServer();
  ddb = server.client();
  pkTable = await createSimpleTable(ddb, tableName('jlock'));
  skTable = await createSimpleTable(ddb, tableName('jlock-sk'), { skType: 'S' });
});

after(async () => {
  await server?.stop();
});

// One lock client instance: its owner name, and the table layout it uses.
function lockClient(client, owner, withSk) {
  const TableName = withSk ? skTable : pkTable;
  const names = (extra) => ({ '#pk': 'pk', ...(withSk ? { '#sk': 'sk' } : {}), ...extra });
  const key = (id) => ({ pk: { S: id }, ...(withSk ? { sk: { S: 'lock' } } : {}) });
  const item = (id, rvn) => ({
    ...key(id), ownerName: { S: owner }, leaseDuration: { S: '20000' }, recordVersionNumber: { S: rvn },
  });
  return {
    owner,
    // Take a lock nobody has.
    acquireNew: (id, rvn) => client.send(new PutItemCommand({
      TableName, Item: item(id, rvn), ConditionExpression: withSk ? ACQUIRE_PK_SK : ACQUIRE_PK, ExpressionAttributeNames: names(),
    })),
    // Take over a lock whose lease expired, seen with version oldRvn.
    acquireExpired: (id, oldRvn, rvn) => client.send(new PutItemCommand({
      TableName,
      Item: item(id, rvn),
      ConditionExpression: withSk ? EXPIRED_PK_SK : EXPIRED_PK,
      ExpressionAttributeNames: names({ '#rvn': 'recordVersionNumber' }),
      ExpressionAttributeValues: { ':rvn': { S: oldRvn } },
    })),
    // Take a lock that was released with isReleased = "1".
    acquireReleased: (id, rvn) => client.send(new PutItemCommand({
      TableName,
      Item: item(id, rvn),
      ConditionExpression: withSk ? RELEASED_PK_SK : RELEASED_PK,
      ExpressionAttributeNames: names({ '#ir': 'isReleased' }),
      ExpressionAttributeValues: { ':ir': { S: '1' } },
    })),
    heartbeat: (id, rvn, newRvn) => client.send(new UpdateItemCommand({
      TableName,
      Key: key(id),
      UpdateExpression: HEARTBEAT,
      ConditionExpression: withSk ? OWNER_RVN_PK_SK : OWNER_RVN_PK,
      ExpressionAttributeNames: names({ '#ld': 'leaseDuration', '#rvn': 'recordVersionNumber', '#on': 'ownerName' }),
      ExpressionAttributeValues: {
        ':ld': { S: '20000' }, ':newRvn': { S: newRvn }, ':rvn': { S: rvn }, ':on': { S: owner },
      },
    })),
    // releaseLock with deleteLock = true.
    releaseDelete: (id, rvn) => client.send(new DeleteItemCommand({
      TableName,
      Key: key(id),
      ConditionExpression: withSk ? OWNER_RVN_PK_SK : OWNER_RVN_PK,
      ExpressionAttributeNames: names({ '#rvn': 'recordVersionNumber', '#on': 'ownerName' }),
      ExpressionAttributeValues: { ':rvn': { S: rvn }, ':on': { S: owner } },
    })),
    // releaseLock with deleteLock = false.
    releaseMark: (id, rvn) => client.send(new UpdateItemCommand({
      TableName,
      Key: key(id),
      UpdateExpression: MARK_RELEASED,
      ConditionExpression: withSk ? OWNER_RVN_PK_SK : OWNER_RVN_PK,
      ExpressionAttributeNames: names({ '#rvn': 'recordVersionNumber', '#on': 'ownerName', '#ir': 'isReleased' }),
      ExpressionAttributeValues: { ':rvn': { S: rvn }, ':on': { S: owner }, ':ir': { S: '1' } },
    })),
    read: async (id) => (await client.send(new GetItemCommand({ TableName, Key: key(id), ConsistentRead: true }))).Item,
  };
}

// Runs step(racer, i) for every racer at once; asserts exactly one succeeded
// and every other failed its condition; returns the winner's index.
async function race(racers, step) {
  const results = await Promise.allSettled(racers.map((r, i) => step(r, i)));
  const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  assert.equal(winners.length, 1, `winners ${JSON.stringify(winners)}`);
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.deepEqual({ name: r.reason.name, message: r.reason.message }, { name: CCF, message: CCF_MESSAGE });
    }
  }
  return winners[0];
}

for (const withSk of [false, true]) {
  const layout = withSk ? 'pk+sk' : 'pk';

  // The whole life of a lock with several hosts competing at every step:
  // create, heartbeat, steal after expiry, release by marking, re-acquire
  // the released lock, release by deleting.
  test(`Java lock client sequence under contention (${layout})`, async () => {
    const racers = Array.from({ length: RACERS }, (_, i) => lockClient(server.client(), `host-${i}`, withSk));
    for (let round = 0; round < 5; round += 1) {
      const id = `lock-${round}`;
      const rvn = racers.map(() => randomUUID());

      // Acquire: PutItem attribute_not_exists(#pk) — one owner.
      const first = await race(racers, (r, i) => r.acquireNew(id, rvn[i]));
      const holder = racers[first];
      assert.equal((await holder.read(id)).ownerName.S, holder.owner);

      // Heartbeat by the holder succeeds and moves the version; anyone else's
      // heartbeat (wrong owner) and the holder's stale one fail.
      const hb = randomUUID();
      await holder.heartbeat(id, rvn[first], hb);
      await expectError(holder.heartbeat(id, rvn[first], randomUUID()), CCF, CCF_MESSAGE);
      const other = racers[(first + 1) % RACERS];
      await expectError(other.heartbeat(id, hb, randomUUID()), CCF, CCF_MESSAGE);
      assert.equal((await holder.read(id)).recordVersionNumber.S, hb);

      // The lease "expired" (seen with version hb): everyone tries to take it
      // over, and the old holder heartbeats at the same time — one wins.
      const steal = racers.map(() => randomUUID());
      const holderHb = randomUUID();
      const second = await race([...racers, holder], (r, i) => (i === RACERS
        ? r.heartbeat(id, hb, holderHb)
        : r.acquireExpired(id, hb, steal[i])));
      const current = second === RACERS ? { r: holder, rvn: holderHb } : { r: racers[second], rvn: steal[second] };
      assert.deepEqual(
        { owner: (await holder.read(id)).ownerName.S, rvn: (await holder.read(id)).recordVersionNumber.S },
        { owner: current.r.owner, rvn: current.rvn },
      );

      // A non-owner cannot release (either way); the owner marks it released.
      const stranger = racers.find((r) => r !== current.r);
      await expectError(stranger.releaseMark(id, current.rvn), CCF, CCF_MESSAGE);
      await expectError(stranger.releaseDelete(id, current.rvn), CCF, CCF_MESSAGE);
      await current.r.releaseMark(id, current.rvn);
      assert.equal((await holder.read(id)).isReleased.S, '1');

      // Everyone races for the released lock: the winner's put replaces the
      // item (no isReleased any more), so the others' condition fails.
      const again = racers.map(() => randomUUID());
      const third = await race(racers, (r, i) => r.acquireReleased(id, again[i]));
      const last = await holder.read(id);
      assert.equal(last.isReleased, undefined);
      assert.equal(last.ownerName.S, racers[third].owner);
      assert.equal(last.recordVersionNumber.S, again[third]);
      // Trying to acquire a held lock as new fails for everyone.
      await Promise.all(racers.map((r) => expectError(r.acquireNew(id, randomUUID()), CCF, CCF_MESSAGE)));

      // Release with deleteLock = true: concurrent deletes by all racers, each
      // with its own owner name and the current version; only the owner's passes.
      await race(racers, (r) => r.releaseDelete(id, again[third]));
      assert.equal(await holder.read(id), undefined);
      // Heartbeat and release of a deleted lock fail and do not recreate it.
      await expectError(racers[third].heartbeat(id, again[third], randomUUID()), CCF, CCF_MESSAGE);
      await expectError(racers[third].releaseMark(id, again[third]), CCF, CCF_MESSAGE);
      assert.equal(await holder.read(id), undefined);
    }
  });
}
