"""Crash consistency for every write kind.

Concurrent PutItem, conditional DeleteItem (returning the old item),
conditional UpdateItem (a version attribute), BatchWriteItem (puts and
deletes) and TransactWriteItems (transfers between accounts, each with a
receipt item) run against a file-backed server whose table has a GSI and an
LSI. The server is killed (SIGKILL) at a random moment, restarted on the same
data directory and checked, at least 20 times:

- every acknowledged write is there, every write refused with an error is
  not, and a write cut off by the crash is either wholly there or not at all;
- every transaction is all-or-nothing (a transfer is on both accounts and
  its receipt exists, or none of the three), and money is conserved;
- every GSI and LSI row agrees with its base item, and no index row is left
  without one.

Each writer owns its keys, so the expected state of every item is known
exactly, except for writes in flight at the crash, which may have committed
or not; the check after the restart settles those before the next cycle.
"""

import itertools
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import unittest
from collections import Counter

import boto3
import botocore.config
import botocore.exceptions

from tests.e2e.python.harness import ACCESS_KEY, REGION, SECRET_KEY, Server

CYCLES = int(os.environ.get("CRASH_CYCLES", "20"))
ACCOUNTS = 8
START_BALANCE = 100
TABLE = "crash"

# A request cut off by the crash: it may or may not have committed.
CUT_OFF = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)


def s(v):
    return {"S": v}


def n(v):
    return {"N": str(v)}


def key(pk, sk="0"):
    return {"pk": s(pk), "sk": s(sk)}


def key_of(item):
    return (item["pk"]["S"], item["sk"]["S"])


class Model:
    """What every item should be: key -> list of possible items (None: absent)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.deletable = []  # keys of acknowledged puts, for the delete writer
        self.acked = Counter()  # acknowledged writes per kind
        self.cut_off = Counter()  # writes cut off by a crash, per kind
        self.errors = []  # anything that cannot happen
        self.transfers_acked = set()
        self.transfers_refused = set()

    def current(self, k):
        poss = self.items.get(k, [None])
        assert len(poss) == 1, f"{k} is still undetermined"
        return poss[0]

    def write(self, k, new, acked):
        """Records a write of k (new None: a delete) that was acknowledged or cut off."""
        if acked:
            self.items[k] = [new]
        else:
            poss = self.items.get(k, [None])
            if new not in poss:
                poss = poss + [new]
            self.items[k] = poss


class Writers:
    """The writer threads of one cycle, against one server process."""

    def __init__(self, server, model, seed):
        self.server = server
        self.model = model
        self.stop = threading.Event()
        self.seed = seed
        self.transfer_ids = itertools.count(seed * 1_000_000)  # shared by the transferrers

    def run(self, session, kinds):
        """Starts one thread per writer, each with a client made beforehand (so
        that the crash finds the writers busy, not building clients)."""
        config = botocore.config.Config(retries={"mode": "legacy", "max_attempts": 1},
                                        connect_timeout=5, read_timeout=30)
        clients = [session.client("dynamodb", endpoint_url=self.server.endpoint, config=config)
                   for _ in kinds]
        threads = [threading.Thread(target=self.guard, args=(fn, c, i), daemon=True)
                   for i, (fn, c) in enumerate(zip(kinds, clients))]
        for t in threads:
            t.start()
        return threads

    def guard(self, fn, client, i):
        try:
            fn(client, random.Random(self.seed * 100 + i))
        except Exception as e:  # noqa: BLE001 - reported as a test failure
            with self.model.lock:
                self.model.errors.append(f"{fn.__name__}: {type(e).__name__}: {e}")

    def attempt(self, kind, call, writes):
        """Runs call, a request that writes `writes` ([(key, new item or None)]),
        and records them as acknowledged; returns its response, or None when the
        crash cut it off (then each write may or may not have committed)."""
        m = self.model
        try:
            out = call()
        except CUT_OFF:
            with m.lock:
                for k, new in writes:
                    m.write(k, new, acked=False)
                m.cut_off[kind] += 1
            return None
        with m.lock:
            for k, new in writes:
                m.write(k, new, acked=True)
            m.acked[kind] += 1
        return out

    # PutItem of new keys; some items lack the GSI key (a sparse index).
    def putter(self, ddb, rnd):
        for i in itertools.count():
            if self.stop.is_set():
                return
            k = (f"put-{self.seed}-{i}", "0")
            item = {"pk": s(k[0]), "sk": s(k[1]), "seq": n(i), "data": s("p" * rnd.randint(1, 3000))}
            if i % 7:
                item["owner"] = s(f"o{i % 4}")
            if self.attempt("put", lambda: ddb.put_item(TableName=TABLE, Item=item),
                            [(k, item)]) is None:
                return
            with self.model.lock:
                self.model.deletable.append(k)

    # Conditional DeleteItem of acknowledged puts, returning the old item.
    def deleter(self, ddb, rnd):
        m = self.model
        while not self.stop.is_set():
            with m.lock:
                k = m.deletable.pop(rnd.randrange(len(m.deletable))) if m.deletable else None
                old = m.current(k) if k else None
            if k is None:
                time.sleep(0.005)
                continue
            out = self.attempt("delete", lambda: ddb.delete_item(
                TableName=TABLE, Key=key(*k), ReturnValues="ALL_OLD",
                ConditionExpression="attribute_exists(pk)"), [(k, None)])
            if out is None:
                return
            if out.get("Attributes") != old:
                with m.lock:
                    m.errors.append(f"delete {k} returned {out.get('Attributes')}, not {old}")

    # UpdateItem with optimistic locking on a version; moves the item between
    # GSI partitions and sometimes out of the index.
    def updater(self, ddb, rnd):
        for j in itertools.count():
            if self.stop.is_set():
                return
            k = (f"upd-{j % 5}", "0")
            with self.model.lock:
                old = self.model.current(k)
            v = int(old["version"]["N"])
            new = {"pk": s(k[0]), "sk": s(k[1]), "version": n(v + 1), "seq": n(v + 1),
                   "data": s("u" * rnd.randint(1, 2000))}
            values = {":v0": n(v), ":v1": n(v + 1), ":d": new["data"]}
            expr = "SET version = :v1, seq = :v1, #d = :d"
            if (v + 1) % 5:
                new["owner"] = s(f"o{(v + 1) % 4}")
                values[":o"] = new["owner"]
                expr += ", #o = :o"
            else:
                expr += " REMOVE #o"
            if self.attempt("update", lambda: ddb.update_item(
                    TableName=TABLE, Key=key(*k), UpdateExpression=expr,
                    ConditionExpression="version = :v0",
                    ExpressionAttributeNames={"#d": "data", "#o": "owner"},
                    ExpressionAttributeValues=values), [(k, new)]) is None:
                return

    # BatchWriteItem: 20 new items and deletes of 5 of this writer's earlier ones.
    def batcher(self, ddb, rnd):
        mine = []
        for b in itertools.count():
            if self.stop.is_set():
                return
            puts = [{"pk": s(f"batch-{self.seed}-{b}"), "sk": s(f"{i:02d}"), "seq": n(i),
                     "owner": s(f"b{i % 3}"), "data": s("b" * rnd.randint(1, 500))}
                    for i in range(20)]
            deletes = [mine.pop(rnd.randrange(len(mine))) for _ in range(min(5, len(mine)))]
            requests = [{"PutRequest": {"Item": it}} for it in puts]
            requests += [{"DeleteRequest": {"Key": key(*k)}} for k in deletes]
            out = self.attempt("batch",
                               lambda: ddb.batch_write_item(RequestItems={TABLE: requests}),
                               [(key_of(it), it) for it in puts] + [(k, None) for k in deletes])
            if out is None:
                return
            if out.get("UnprocessedItems"):
                with self.model.lock:
                    self.model.errors.append(f"unprocessed items: {out['UnprocessedItems']}")
            mine.extend(key_of(it) for it in puts)

    # TransactWriteItems: a transfer between two accounts plus its receipt.
    # Two of these run at once, so transactions also conflict with each other.
    def transferrer(self, ddb, rnd):
        m = self.model
        while not self.stop.is_set():
            src, dst = rnd.sample(range(ACCOUNTS), 2)
            tid = next(self.transfer_ids)
            amount = rnd.randint(1, 30)
            one = {":a": n(amount), ":t": {"NS": [str(tid)]}, ":one": n(1)}
            items = [
                {"Update": {"TableName": TABLE, "Key": key(f"acct-{src}"),
                            "UpdateExpression": "SET balance = balance - :a ADD applied :t, seq :one",
                            "ConditionExpression": "balance >= :a",
                            "ExpressionAttributeValues": one}},
                {"Update": {"TableName": TABLE, "Key": key(f"acct-{dst}"),
                            "UpdateExpression": "SET balance = balance + :a ADD applied :t, seq :one",
                            "ExpressionAttributeValues": one}},
                {"Put": {"TableName": TABLE,
                         "Item": {"pk": s(f"receipt-{tid}"), "sk": s("0"), "owner": s("receipts"),
                                  "seq": n(tid), "amount": n(amount)},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
            try:
                ddb.transact_write_items(TransactItems=items)
            except CUT_OFF:
                with m.lock:
                    m.cut_off["transaction"] += 1
                return
            except botocore.exceptions.ClientError as e:
                code = e.response["Error"]["Code"]
                if code not in ("TransactionCanceledException", "TransactionConflictException"):
                    raise
                with m.lock:
                    m.transfers_refused.add(tid)
                continue
            with m.lock:
                m.transfers_acked.add(tid)
                m.acked["transaction"] += 1


def scan_all(ddb, **kwargs):
    out = []
    for page in ddb.get_paginator("scan").paginate(TableName=TABLE, **kwargs):
        out.extend(page["Items"])
    return out


class CrashConsistencyTest(unittest.TestCase):
    def test_sigkill_at_random_moments_under_every_write_kind(self):
        data = tempfile.mkdtemp(prefix="dynamo-crash-")
        self.addCleanup(shutil.rmtree, data, True)
        model = Model()
        server = Server(db_path=data).start()
        self.addCleanup(lambda: server.alive() and server.kill())
        self.create_table(server.client(), model)
        rnd = random.Random(int(os.environ.get("CRASH_SEED", time.time_ns())))
        session = boto3.session.Session(aws_access_key_id=ACCESS_KEY,
                                        aws_secret_access_key=SECRET_KEY, region_name=REGION)
        for cycle in range(CYCLES):
            writers = Writers(server, model, seed=cycle + 1)
            threads = writers.run(session, [writers.putter, writers.deleter, writers.updater,
                                            writers.batcher, writers.transferrer,
                                            writers.transferrer])
            time.sleep(rnd.uniform(0.05, 1.0))
            server.kill()  # a crash at a random moment of the load
            writers.stop.set()
            for t in threads:
                t.join(30)
                self.assertFalse(t.is_alive(), "a writer hung after the crash")
            self.assertEqual(model.errors, [], f"cycle {cycle}")
            server = Server(db_path=data).start()
            self.verify(server.client(), model, cycle)
        server.stop()
        for kind in ("put", "delete", "update", "batch", "transaction"):
            self.assertGreater(model.acked[kind], 0, f"no {kind} was acknowledged: {model.acked}")
        print(f"\ncrash consistency: {CYCLES} kill cycles survived; acknowledged "
              f"{dict(model.acked)}, cut off by a crash {dict(model.cut_off)}",
              file=sys.stderr)

    def create_table(self, ddb, model):
        ddb.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in
                                  (("pk", "S"), ("sk", "S"), ("owner", "S"), ("seq", "N"))],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "byOwner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"},
                              {"AttributeName": "seq", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[{
                "IndexName": "bySeq",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "seq", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["owner"]}}])
        for i in range(ACCOUNTS):
            ddb.put_item(TableName=TABLE, Item={
                **key(f"acct-{i}"), "balance": n(START_BALANCE), "applied": {"NS": ["-1"]},
                "owner": s("bank"), "seq": n(0)})
        for j in range(5):
            item = {**key(f"upd-{j}"), "version": n(0), "seq": n(0), "owner": s("o0"),
                    "data": s("u")}
            ddb.put_item(TableName=TABLE, Item=item)
            model.write(key_of(item), item, acked=True)

    def verify(self, ddb, model, cycle):
        where = f"after kill {cycle + 1}"
        base = {key_of(it): it for it in scan_all(ddb, ConsistentRead=True)}
        # Every item the writers own is one of the states it may be in.
        for k, poss in model.items.items():
            observed = base.get(k)
            self.assertIn(observed, poss, f"{where}: {k}")
            model.items[k] = [observed]
        model.deletable = [k for k in model.deletable if model.items[k] != [None]]
        # Transactions: all-or-nothing, money conserved, acknowledged ones durable.
        accounts = [base[(f"acct-{i}", "0")] for i in range(ACCOUNTS)]
        self.assertEqual(sum(int(a["balance"]["N"]) for a in accounts), ACCOUNTS * START_BALANCE,
                         where)
        on_accounts = Counter()
        for a in accounts:
            self.assertGreaterEqual(int(a["balance"]["N"]), 0, where)
            applied = [int(t) for t in a["applied"]["NS"] if t != "-1"]
            self.assertEqual(int(a["seq"]["N"]), len(applied), f"{where}: {a}")
            on_accounts.update(applied)
        receipts = {int(k[0].split("-", 1)[1]) for k in base if k[0].startswith("receipt-")}
        self.assertTrue(all(c == 2 for c in on_accounts.values()),
                        f"{where}: a transfer is on one account only")
        self.assertEqual(set(on_accounts), receipts, f"{where}: transfers and receipts differ")
        self.assertEqual(model.transfers_acked - receipts, set(),
                         f"{where}: acknowledged transfers lost")
        self.assertEqual(model.transfers_refused & receipts, set(),
                         f"{where}: a refused transfer was applied")
        # Nothing else is in the table.
        for k in base:
            self.assertTrue(k in model.items or k[0].startswith(("acct-", "receipt-")),
                            f"{where}: unexpected item {k}")
        # Every index row agrees with its base item, and only those exist.
        gsi = {key_of(it): it for it in scan_all(ddb, IndexName="byOwner")}
        self.assertEqual(gsi, {k: it for k, it in base.items() if "owner" in it and "seq" in it},
                         f"{where}: GSI byOwner")
        lsi = {key_of(it): it for it in scan_all(ddb, IndexName="bySeq")}
        projected = {k: {a: v for a, v in it.items() if a in ("pk", "sk", "seq", "owner")}
                     for k, it in base.items() if "seq" in it}
        self.assertEqual(lsi, projected, f"{where}: LSI bySeq")


if __name__ == "__main__":
    unittest.main()
