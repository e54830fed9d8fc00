"""PartiQL through boto3: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Every statement kind and clause, parameters of every attribute type, paging
through 10,000 rows by NextToken, DynamoDB's error names and messages, batch
members answered one by one, transactions all or nothing (conflicts made
reproducible by --transaction-hold-ms), and items written one way read the
other (PartiQL and the item API).
"""

import threading
import time
import unittest
import uuid

from botocore.exceptions import ClientError

try:
    from . import harness
except ImportError:
    import harness

MALFORMED = "Statement wasn't well formed, can't be processed: "
CCF = "The conditional request failed"
DUPLICATE = "Duplicate primary key exists in table"
NOT_FOUND = "Requested resource not found"
PARAMETER_COUNT = "Number of parameters in request and statement don't match."
BATCH_KEY = ("Select statements within BatchExecuteStatement must specify the primary key "
             "in the where clause.")
TX_KEY = "Select statements within ExecuteTransaction must specify the primary key in the where clause."
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "
EXISTS_ONLY_IN_TX = "EXISTS can only be used in ExecuteTransaction write requests."


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def set_normalised(value):
    """AttributeValue with set members sorted (DynamoDB does not promise set order)."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else set_normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [set_normalised(v) for v in value]
    return value


class PartiqlTestCase(harness.ServerTestCase):
    """Helpers shared by the classes below; it has no tests of its own."""

    def make_table(self, prefix="pql", range_type="N", **extra):
        """A table keyed pk (S) [+ sk (range_type)]; extra goes to CreateTable (indexes)."""
        name = harness.unique_name(prefix)
        attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        if range_type:
            attrs.append({"AttributeName": "sk", "AttributeType": range_type})
            schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs += extra.pop("extra_attributes", [])
        self.ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=schema,
                              BillingMode="PAY_PER_REQUEST", **extra)
        return name

    def run_statement(self, statement, *parameters, **kwargs):
        if parameters:
            kwargs["Parameters"] = list(parameters)
        return self.ddb.execute_statement(Statement=statement, **kwargs)

    def items(self, statement, *parameters, **kwargs):
        return self.run_statement(statement, *parameters, **kwargs)["Items"]

    def get(self, table, pk, sk=1):
        key = {"pk": S(pk), "sk": N(sk)} if sk is not None else {"pk": S(pk)}
        return self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def put(self, table, pk, sk=1, **attrs):
        item = {"pk": S(pk), "sk": N(sk), **attrs}
        self.ddb.put_item(TableName=table, Item=item)
        return item

    def assertError(self, code, message, call, *args, **kwargs):
        """Runs call, expecting a ClientError with exactly this code and message; its response."""
        with self.assertRaises(ClientError) as ctx:
            call(*args, **kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return ctx.exception.response

    def pages(self, statement, **kwargs):
        """Every page of a SELECT, following NextToken: a list of Items lists."""
        out, token = [], None
        for _ in range(1000):
            args = dict(kwargs)
            if token:
                args["NextToken"] = token
            page = self.ddb.execute_statement(Statement=statement, **args)
            out.append(page["Items"])
            token = page.get("NextToken")
            if not token:
                return out
        self.fail(f"{statement}: NextToken never ended")

    @staticmethod
    def members(*statements):
        """TransactStatements / Statements from "text", ("text", [params]) or a ready dict."""
        out = []
        for s in statements:
            if isinstance(s, str):
                out.append({"Statement": s})
            elif isinstance(s, tuple):
                out.append({"Statement": s[0], "Parameters": list(s[1])})
            else:
                out.append(s)
        return out


class ExecuteStatementTest(PartiqlTestCase):
    # SELECT * returns whole items; a projection returns each path under its last name (l[1] as "l[1]").
    def test_select_star_and_projection_of_nested_paths(self):
        t = self.make_table()
        item = self.put(t, "p", 1, a=S("x"),
                        m={"M": {"k": S("v"), "n": {"M": {"deep": N(1)}}}},
                        l={"L": [N(10), N(20), N(30)]})
        self.put(t, "p", 2, a=S("other"))
        key = f'FROM "{t}" WHERE pk = \'p\' AND sk = 1'
        for projection, expected in [
            ("*", [item]),
            ('"a"', [{"a": S("x")}]),
            ("a, m.k, l[1]", [{"a": S("x"), "k": S("v"), "l[1]": N(20)}]),
            ("m.n.deep, l[2]", [{"deep": N(1), "l[2]": N(30)}]),
            ("m.n", [{"n": {"M": {"deep": N(1)}}}]),
            ("a, nothere, l[7]", [{"a": S("x")}]),
            ("nothere", [{}]),
        ]:
            with self.subTest(projection=projection):
                self.assertEqual(self.items(f"SELECT {projection} {key}"), expected)
        self.assertEqual(self.items(f'SELECT * FROM "{t}" WHERE pk = \'p\' AND sk = 9'), [])

    # Every WHERE operator, function and connective filters a partition query (results in sort-key order).
    def test_where_operators_and_functions(self):
        t = self.make_table()
        self.put(t, "p", 1, s=S("apple"), n=N(10), tags={"SS": ["x", "y"]}, opt=S("o"))
        self.put(t, "p", 2, s=S("apricot"), n=N(20), tags={"L": [S("z")]}, flag={"BOOL": True})
        self.put(t, "p", 3, s=S("banana"), n=N(30), tags={"SS": ["y"]}, opt=S("o"))
        self.put(t, "p", 4, s=S("bandana"), n=N(40), flag={"BOOL": False})
        self.put(t, "p", 5, s=S("cherry"), n=N(50), l={"L": [N(1), N(2), N(3)]})
        self.put(t, "p", 6, n=N(60))
        for sk in range(1, 7):  # a second partition the queries must not see
            self.put(t, "q", sk, s=S("apple"), n=N(10), opt=S("o"))
        for where, expected in [
            ("sk = 3", [3]),
            ("sk <> 3", [1, 2, 4, 5, 6]),
            ("sk < 3", [1, 2]),
            ("sk <= 3", [1, 2, 3]),
            ("sk > 4", [5, 6]),
            ("sk >= 4", [4, 5, 6]),
            ("sk BETWEEN 2 AND 4", [2, 3, 4]),
            ("n BETWEEN 20 AND 30", [2, 3]),
            ("s < 'b'", [1, 2]),
            ("s >= 'banana' AND n <> 50", [3, 4]),
            ("sk IN [2, 5, 9]", [2, 5]),
            ("s IN ['banana', 'cherry']", [3, 5]),
            ("(sk = 1 OR sk = 6)", [1, 6]),
            ("(s = 'apple' OR n = 60)", [1, 6]),
            ("NOT (sk < 5)", [5, 6]),
            ("NOT (s = 'apple')", [2, 3, 4, 5, 6]),
            ("NOT sk = 2 AND sk < 4", [1, 3]),
            ("opt IS MISSING", [2, 4, 5, 6]),
            ("opt IS NOT MISSING", [1, 3]),
            ("begins_with(s, 'ap')", [1, 2]),
            ("contains(s, 'an')", [3, 4]),
            ("contains(tags, 'y')", [1, 3]),
            ("contains(tags, 'z')", [2]),
            ("attribute_type(tags, 'SS')", [1, 3]),
            ("attribute_type(tags, 'L')", [2]),
            ("attribute_type(flag, 'BOOL')", [2, 4]),
            ("size(s) > 6", [2, 4]),
            ("size(l) = 3", [5]),
            ("size(tags) = 2", [1]),
            ("flag = true", [2]),
            ("flag = false OR opt = 'o' AND n > 10", [3, 4]),
        ]:
            with self.subTest(where=where):
                got = self.items(f'SELECT sk FROM "{t}" WHERE pk = \'p\' AND {where}')
                self.assertEqual([int(i["sk"]["N"]) for i in got], expected)

    # Without a partition-key condition a SELECT scans the whole table and filters it.
    def test_select_without_partition_key_scans(self):
        t = self.make_table()
        for pk in ("a", "b", "c"):
            for sk in (1, 2):
                self.put(t, pk, sk, n=N(sk * 10))
        for where, expected in [
            ("", {(pk, sk) for pk in "abc" for sk in (1, 2)}),
            (" WHERE n > 15", {("a", 2), ("b", 2), ("c", 2)}),
            (" WHERE sk = 1", {("a", 1), ("b", 1), ("c", 1)}),
            (" WHERE pk > 'a'", {("b", 1), ("b", 2), ("c", 1), ("c", 2)}),
            (" WHERE pk = 'a' OR n = 20", {("a", 1), ("a", 2), ("b", 2), ("c", 2)}),
        ]:
            with self.subTest(where=where):
                got = self.items(f'SELECT pk, sk FROM "{t}"{where}')
                keys = [(i["pk"]["S"], int(i["sk"]["N"])) for i in got]
                self.assertEqual(len(keys), len(set(keys)))
                self.assertEqual(set(keys), expected)

    # FROM "T"."Index" reads a GSI (sparse, in index key order) and an LSI (in its sort-key order).
    def test_select_from_global_and_local_secondary_indexes(self):
        all_projected = {"ProjectionType": "ALL"}
        t = self.make_table(
            extra_attributes=[{"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "r", "AttributeType": "N"},
                              {"AttributeName": "l", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": all_projected, "KeySchema": [
                {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}]}],
            LocalSecondaryIndexes=[{"IndexName": "byL", "Projection": all_projected, "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}]}],
        )
        items = {
            1: self.put(t, "p", 1, g=S("G"), r=N(30), l=S("d")),
            2: self.put(t, "p", 2, g=S("G"), r=N(10), l=S("c")),
            3: self.put(t, "p", 3, g=S("G"), r=N(20), l=S("b")),
            4: self.put(t, "p", 4, l=S("a")),  # not in byG
        }
        self.put(t, "q", 1, g=S("H"), r=N(5), l=S("a"))
        self.assertEqual(self.items(f'SELECT * FROM "{t}"."byG" WHERE g = \'G\''),
                         [items[2], items[3], items[1]])
        for statement, expected in [
            (f'SELECT sk FROM "{t}"."byG" WHERE g = \'G\' AND r > 15', [3, 1]),
            (f'SELECT sk FROM "{t}"."byG" WHERE g = \'G\' AND r BETWEEN 10 AND 20', [2, 3]),
            (f'SELECT sk FROM "{t}"."byL" WHERE pk = \'p\'', [4, 3, 2, 1]),
            (f'SELECT sk FROM "{t}"."byL" WHERE pk = \'p\' AND l >= \'c\'', [2, 1]),
            (f'SELECT sk FROM "{t}"."byL" WHERE pk = \'p\' AND begins_with(l, \'b\')', [3]),
        ]:
            with self.subTest(statement=statement):
                self.assertEqual([int(i["sk"]["N"]) for i in self.items(statement)], expected)
        scanned = self.items(f'SELECT pk, sk FROM "{t}"."byG" WHERE r < 25')
        self.assertEqual(sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in scanned),
                         [("p", 2), ("p", 3), ("q", 1)])
        self.assertEqual(len(self.items(f'SELECT * FROM "{t}"."byG"')), 4)  # sparse: 4 of 5 items
        self.assertError("ValidationException", "The table does not have the specified index",
                         self.run_statement, f'SELECT * FROM "{t}"."nope" WHERE g = \'G\'')

    # pk IN [...] queries each partition in the order listed, each in sort-key order; pk = a OR pk = b too.
    def test_partition_key_in_list_queries_in_listed_order(self):
        t = self.make_table()
        for pk in "abcde":
            for sk in (3, 1, 2):
                self.put(t, pk, sk)
        got = self.items(f'SELECT pk, sk FROM "{t}" WHERE pk IN [\'c\', \'a\', \'e\', \'b\', \'d\']')
        self.assertEqual([(i["pk"]["S"], int(i["sk"]["N"])) for i in got],
                         [(pk, sk) for pk in "caebd" for sk in (1, 2, 3)])
        got = self.items(f'SELECT pk, sk FROM "{t}" WHERE pk IN [\'b\', \'zz\', \'a\'] AND sk >= 2')
        self.assertEqual([(i["pk"]["S"], int(i["sk"]["N"])) for i in got],
                         [("b", 2), ("b", 3), ("a", 2), ("a", 3)])
        got = self.items(f'SELECT pk, sk FROM "{t}" WHERE pk = \'d\' OR pk = \'a\'')
        keys = [(i["pk"]["S"], int(i["sk"]["N"])) for i in got]
        self.assertIn(keys, [[(pk, sk) for pk in order for sk in (1, 2, 3)] for order in ("da", "ad")])

    # ORDER BY the sort key (DESC or ASC) with a partition-key WHERE; the three refusals of other shapes.
    def test_order_by_sort_key(self):
        t = self.make_table()
        for sk in (2, 5, 1, 4, 3):
            self.put(t, "p", sk, x=N(sk))
        self.put(t, "q", 9)
        for statement, expected in [
            (f'SELECT sk FROM "{t}" WHERE pk = \'p\' ORDER BY sk DESC', [5, 4, 3, 2, 1]),
            (f'SELECT sk FROM "{t}" WHERE pk = \'p\' ORDER BY sk ASC', [1, 2, 3, 4, 5]),
            (f'SELECT sk FROM "{t}" WHERE pk = \'p\' AND sk > 1 ORDER BY sk DESC', [5, 4, 3, 2]),
        ]:
            with self.subTest(statement=statement):
                self.assertEqual([int(i["sk"]["N"]) for i in self.items(statement)], expected)
        with self.subTest("paged by NextToken"):
            descending = [int(i["sk"]["N"]) for page in self.pages(
                f'SELECT sk FROM "{t}" WHERE pk = \'p\' ORDER BY sk DESC', Limit=2) for i in page]
            self.assertEqual(descending, [5, 4, 3, 2, 1])
        for statement, message in [
            (f'SELECT * FROM "{t}" ORDER BY sk DESC',
             "Must have WHERE clause in the statement when using ORDER BY clause."),
            (f'SELECT * FROM "{t}" WHERE sk > 1 ORDER BY sk DESC',
             "Must have at least one non-optional hash key condition in WHERE clause when using "
             "ORDER BY clause."),
            (f'SELECT * FROM "{t}" WHERE pk = \'p\' ORDER BY x',
             "Variable reference x in ORDER BY clause must be part of the primary key"),
        ]:
            with self.subTest(statement=statement):
                self.assertError("ValidationException", message, self.run_statement, statement)

    # INSERT adds an item and answers Items []; an existing key is DuplicateItemException, the item untouched.
    def test_insert_and_duplicate_item(self):
        t = self.make_table()
        out = self.run_statement(f'INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': 1, \'v\': \'first\'}}')
        self.assertEqual(out["Items"], [])
        self.assertNotIn("NextToken", out)
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "v": S("first")})
        self.assertError("DuplicateItemException", DUPLICATE, self.run_statement,
                         f'INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': 1, \'v\': \'second\'}}')
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "v": S("first")})

    # UPDATE applies SET (plain, nested, arithmetic, list_append, set_add, set_delete) and REMOVE together.
    def test_update_set_remove_arithmetic_and_collection_functions(self):
        t = self.make_table()
        self.put(t, "u", 1, a=S("old"), b=S("gone"), n=N(5), d=N(10), l={"L": [N(1)]},
                 ss={"SS": ["x", "y"]}, ns={"NS": ["1", "2"]}, m={"M": {"k": S("v")}})
        out = self.run_statement(
            f'UPDATE "{t}" SET a = \'new\', n = n + 3, d = d - 4, l = list_append(l, [2, 3]) '
            "SET ss = set_add(ss, <<'z'>>), ns = set_delete(ns, <<2>>), m.k = 'w' "
            "SET fresh = set_add(fresh, <<7>>) REMOVE b WHERE pk = 'u' AND sk = 1")
        self.assertEqual(out["Items"], [])
        expected = {"pk": S("u"), "sk": N(1), "a": S("new"), "n": N(8), "d": N(6),
                    "l": {"L": [N(1), N(2), N(3)]}, "ss": {"SS": ["x", "y", "z"]}, "ns": {"NS": ["1"]},
                    "m": {"M": {"k": S("w")}}, "fresh": {"NS": ["7"]}}
        self.assertEqual(set_normalised(self.get(t, "u")), set_normalised(expected))
        # Parameters in arithmetic and in the key; a true extra condition lets the update through.
        self.run_statement(f'UPDATE "{t}" SET n = n + ?, l = list_append([0], l) REMOVE ss, m.k '
                           "WHERE pk = ? AND sk = ? AND a = 'new'", N(2), S("u"), N(1))
        expected.update(n=N(10), l={"L": [N(0), N(1), N(2), N(3)]}, m={"M": {}})
        del expected["ss"]
        self.assertEqual(set_normalised(self.get(t, "u")), set_normalised(expected))

    # Each RETURNING form answers its image in Items (MODIFIED without the key); no RETURNING answers [].
    def test_update_returning_forms(self):
        t = self.make_table()
        update = "SET a = a + 1, c = 'new' REMOVE b"
        old = {"a": N(1), "b": S("x"), "keep": S("k")}
        for sk, (returning, expected) in enumerate([
            ("", []),
            (" RETURNING ALL OLD *", [{"pk": S("r"), "sk": N(0), **old}]),
            (" RETURNING MODIFIED OLD *", [{"a": N(1), "b": S("x")}]),
            (" RETURNING ALL NEW *", [{"pk": S("r"), "sk": N(0), "a": N(2), "c": S("new"), "keep": S("k")}]),
            (" RETURNING MODIFIED NEW *", [{"a": N(2), "c": S("new")}]),
        ]):
            with self.subTest(returning=returning):
                self.put(t, "r", sk, **old)
                for image in expected:
                    if "sk" in image:
                        image["sk"] = N(sk)
                got = self.items(f'UPDATE "{t}" {update} WHERE pk = \'r\' AND sk = {sk}{returning}')
                self.assertEqual(got, expected)
                self.assertEqual(self.get(t, "r", sk),
                                 {"pk": S("r"), "sk": N(sk), "a": N(2), "c": S("new"), "keep": S("k")})

    # UPDATE never upserts, and a false extra condition fails; ALL_OLD puts the item in the error.
    def test_update_condition_failures(self):
        t = self.make_table()
        item = self.put(t, "a", 1, v=N(1))
        missing = f'UPDATE "{t}" SET v = 2 WHERE pk = \'nobody\' AND sk = 1'
        failing = f'UPDATE "{t}" SET v = 2 WHERE pk = \'a\' AND sk = 1 AND v = 5'
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, missing)
        self.assertNotIn("Item", response)
        self.assertIsNone(self.get(t, "nobody"))
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, failing)
        self.assertNotIn("Item", response)
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, failing,
                                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(response["Item"], item)
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, missing,
                                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertNotIn("Item", response)
        self.assertEqual(self.get(t, "a"), item)
        self.assertError("ValidationException",
                         "Where clause does not contain a mandatory equality on all key attributes",
                         self.run_statement, f'UPDATE "{t}" SET v = 2 WHERE pk = \'a\'')

    # DELETE: RETURNING ALL OLD * answers the item; a missing item is no error; a false condition is CCF.
    def test_delete_returning_and_conditions(self):
        t = self.make_table()
        gone = self.put(t, "gone", 1, v=N(1))
        kept = self.put(t, "kept", 1, v=N(1))
        self.assertEqual(self.items(f'DELETE FROM "{t}" WHERE pk = \'gone\' AND sk = 1 RETURNING ALL OLD *'),
                         [gone])
        self.assertIsNone(self.get(t, "gone"))
        for statement in [
            f'DELETE FROM "{t}" WHERE pk = \'gone\' AND sk = 1',
            f'DELETE FROM "{t}" WHERE pk = \'gone\' AND sk = 1 AND v = 1',
            f'DELETE FROM "{t}" WHERE pk = \'gone\' AND sk = 1 RETURNING ALL OLD *',
        ]:
            with self.subTest(statement=statement):
                self.assertEqual(self.items(statement), [])
        failing = f'DELETE FROM "{t}" WHERE pk = \'kept\' AND sk = 1 AND v = 2'
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, failing)
        self.assertNotIn("Item", response)
        response = self.assertError("ConditionalCheckFailedException", CCF, self.run_statement, failing,
                                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(response["Item"], kept)
        self.assertEqual(self.get(t, "kept"), kept)
        self.assertEqual(self.items(f'DELETE FROM "{t}" WHERE pk = \'kept\' AND sk = 1 AND v = 1'), [])
        self.assertIsNone(self.get(t, "kept"))

    # A ? parameter of every attribute type is stored as sent, read back exactly by GetItem and SELECT, and matches by =.
    def test_parameters_of_every_type_round_trip(self):
        t = self.make_table(range_type=None)
        values = {
            "s": S("h\u00e9 'quoted' \"double\" ? -- not a comment"),
            "n": N("-12.5"),
            "big": N("12345678901234567890123456789012345678"),
            "b": {"B": bytes(range(256))},
            "ss": {"SS": ["a", "b", "?"]},
            "ns": {"NS": ["1", "2.5", "-3"]},
            "bs": {"BS": [b"\x00", b"\xff\xfe"]},
            "yes": {"BOOL": True},
            "no": {"BOOL": False},
            "null": {"NULL": True},
            "l": {"L": [S("x"), N(1), {"L": []}, {"M": {}}, {"B": b"\x01"}, {"NULL": True}]},
            "m": {"M": {"nested": {"M": {"deep": {"BS": [b"\x02"]}}}, "list": {"L": [{"BOOL": False}]}}},
        }
        names = list(values)
        tuple_text = ", ".join(f"'{name}': ?" for name in ["pk"] + names)
        out = self.run_statement(f'INSERT INTO "{t}" VALUE {{{tuple_text}}}',
                                 S("typed"), *[values[name] for name in names])
        self.assertEqual(out["Items"], [])
        expected = {"pk": S("typed"), **values}
        self.assertEqual(set_normalised(self.get(t, "typed", None)), set_normalised(expected))
        got = self.items(f'SELECT * FROM "{t}" WHERE pk = ?', S("typed"))
        self.assertEqual(set_normalised(got), [set_normalised(expected)])
        for name in names:
            with self.subTest(attribute=name):
                got = self.items(f'SELECT pk, "{name}" FROM "{t}" WHERE pk = ? AND "{name}" = ?',
                                 S("typed"), values[name])
                self.assertEqual(set_normalised(got), [set_normalised({"pk": S("typed"), name: values[name]})])

    # Refusals of a single statement, with DynamoDB's exception names and messages.
    def test_statement_errors(self):
        t = self.make_table()
        for sk in (1, 2, 3):
            self.put(t, "p", sk)
        token = self.run_statement(f'SELECT * FROM "{t}" WHERE pk = \'p\'', Limit=1)["NextToken"]
        missing = harness.unique_name("missing")
        for why, kwargs, code, message in [
            ("unknown first keyword", dict(Statement=f'SLECT * FROM "{t}"'),
             "ValidationException", MALFORMED + "Expected data manipulation"),
            ("too few parameters", dict(Statement=f'SELECT * FROM "{t}" WHERE pk = ? AND sk = ?',
                                        Parameters=[S("p")]), "ValidationException", PARAMETER_COUNT),
            ("no parameters for a ?", dict(Statement=f'SELECT * FROM "{t}" WHERE pk = ?'),
             "ValidationException", PARAMETER_COUNT),
            ("too many parameters", dict(Statement=f'SELECT * FROM "{t}" WHERE pk = \'p\'',
                                         Parameters=[S("p")]), "ValidationException", PARAMETER_COUNT),
            ("SELECT from an unknown table", dict(Statement=f'SELECT * FROM "{missing}"'),
             "ResourceNotFoundException", NOT_FOUND),
            ("INSERT into an unknown table", dict(Statement=f'INSERT INTO "{missing}" VALUE {{\'pk\': \'a\'}}'),
             "ResourceNotFoundException", NOT_FOUND),
            ("UPDATE of an unknown table", dict(Statement=f'UPDATE "{missing}" SET v = 1 WHERE pk = \'a\''),
             "ResourceNotFoundException", NOT_FOUND),
            ("DELETE from an unknown table", dict(Statement=f'DELETE FROM "{missing}" WHERE pk = \'a\''),
             "ResourceNotFoundException", NOT_FOUND),
            ("NextToken of another statement", dict(Statement=f'SELECT pk FROM "{t}" WHERE pk = \'p\'',
                                                    NextToken=token),
             "ValidationException", "NextToken does not match request"),
            ("unreadable NextToken", dict(Statement=f'SELECT * FROM "{t}" WHERE pk = \'p\'',
                                          NextToken="not-a-token"),
             "ValidationException", "Invalid NextToken"),
        ]:
            with self.subTest(why):
                self.assertError(code, message, self.ddb.execute_statement, **kwargs)
        # The envelope of every syntax error; the detail after it is the parser's.
        for statement in [f'SELECT * FROM "{t}" WHERE pk = \'a\' foo', f'SELECT * FROM "{t}',
                          f'INSERT "{t}" VALUE {{\'pk\': \'a\'}}', f'DELETE "{t}" WHERE pk = \'a\'', "SELECT"]:
            with self.subTest(statement=statement):
                with self.assertRaises(ClientError) as ctx:
                    self.run_statement(statement)
                err = ctx.exception.response["Error"]
                self.assertEqual(err["Code"], "ValidationException")
                self.assertTrue(err["Message"].startswith(MALFORMED), err["Message"])
        # The token still works for the statement it came from.
        rest = self.run_statement(f'SELECT * FROM "{t}" WHERE pk = \'p\'', NextToken=token)["Items"]
        self.assertEqual([int(i["sk"]["N"]) for i in rest], [2, 3])

    # EXISTS(...) is a transaction-only statement: refused by ExecuteStatement and in a batch.
    def test_exists_outside_a_transaction_is_refused(self):
        t = self.make_table()
        self.put(t, "a", 1, status=S("open"))
        exists = f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1 AND status = \'open\')'
        with self.subTest("ExecuteStatement"):
            self.assertError("ValidationException", EXISTS_ONLY_IN_TX, self.run_statement, exists)
        with self.subTest("a BatchExecuteStatement member"):
            out = self.ddb.batch_execute_statement(Statements=self.members(
                f'INSERT INTO "{t}" VALUE {{\'pk\': \'b\', \'sk\': 1}}', exists))
            self.assertEqual(out["Responses"], [
                {"TableName": t},
                {"Error": {"Code": "ValidationError", "Message": EXISTS_ONLY_IN_TX}},
            ])

    # ReturnConsumedCapacity TOTAL: one object naming the table (0.5 per small eventually consistent read, 1 per write).
    def test_consumed_capacity_of_a_statement(self):
        t = self.make_table()
        for statement, kwargs, units in [
            (f'INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': 1}}', {}, 1.0),
            (f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1', {}, 0.5),
            (f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1', {"ConsistentRead": True}, 1.0),
            (f'UPDATE "{t}" SET v = 1 WHERE pk = \'a\' AND sk = 1', {}, 1.0),
            (f'DELETE FROM "{t}" WHERE pk = \'a\' AND sk = 1', {}, 1.0),
        ]:
            with self.subTest(statement=statement, **kwargs):
                out = self.run_statement(statement, ReturnConsumedCapacity="TOTAL", **kwargs)
                self.assertEqual(out["ConsumedCapacity"], {"TableName": t, "CapacityUnits": units})
        self.assertNotIn("ConsumedCapacity", self.run_statement(f'SELECT * FROM "{t}"'))

    # An item written by PutItem is what SELECT reads; one written by PartiQL is what GetItem and Query read.
    def test_item_api_and_partiql_see_each_others_writes(self):
        t = self.make_table()
        put = self.put(t, "x", 1, v=S("from put"), m={"M": {"k": {"L": [N(1)]}}})
        self.assertEqual(self.items(f'SELECT * FROM "{t}" WHERE pk = \'x\' AND sk = 1'), [put])
        self.run_statement(f'INSERT INTO "{t}" VALUE {{\'pk\': \'x\', \'sk\': 2, \'v\': \'from partiql\'}}')
        self.run_statement(f'UPDATE "{t}" SET w = 7 WHERE pk = \'x\' AND sk = 1')
        self.assertEqual(self.get(t, "x", 2), {"pk": S("x"), "sk": N(2), "v": S("from partiql")})
        queried = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": S("x")})["Items"]
        self.assertEqual(queried, [{**put, "w": N(7)}, {"pk": S("x"), "sk": N(2), "v": S("from partiql")}])
        self.ddb.delete_item(TableName=t, Key={"pk": S("x"), "sk": N(1)})
        self.run_statement(f'DELETE FROM "{t}" WHERE pk = \'x\' AND sk = 2')
        self.assertEqual(self.items(f'SELECT * FROM "{t}" WHERE pk = \'x\''), [])
        self.assertEqual(self.ddb.scan(TableName=t)["Count"], 0)


class PagingTest(PartiqlTestCase):
    """10,000 items of ~330 bytes in one partition (about 3 MB), loaded once for the class."""

    ROWS = 10000
    PAD = "x" * 300

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = harness.unique_name("pages")
        harness.create_table(cls.ddb, cls.table, range_key=("sk", "N"))
        requests = [{"PutRequest": {"Item": {"pk": S("big"), "sk": N(i), "n": N(i), "pad": S(cls.PAD)}}}
                    for i in range(cls.ROWS)]
        requests += [{"PutRequest": {"Item": {"pk": S(f"other{i}"), "sk": N(i), "n": N(i)}}}
                     for i in range(5)]
        for start in range(0, len(requests), 25):
            pending = {cls.table: requests[start:start + 25]}
            for _ in range(10):
                pending = cls.ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems")
                if not pending:
                    break
            assert not pending, f"batch_write_item left {pending}"

    def keys(self, pages):
        return [(i["pk"]["S"], int(i["sk"]["N"])) for page in pages for i in page]

    # A partition query without Limit stops each page at 1 MB: several pages, every item once, in sort-key order.
    def test_partition_query_pages_at_one_megabyte(self):
        pages = self.pages(f'SELECT * FROM "{self.table}" WHERE pk = \'big\'')
        self.assertGreaterEqual(len(pages), 3, [len(p) for p in pages])
        self.assertTrue(all(len(p) < self.ROWS for p in pages))
        self.assertEqual(self.keys(pages), [("big", i) for i in range(self.ROWS)])
        self.assertEqual(pages[0][0], {"pk": S("big"), "sk": N(0), "n": N(0), "pad": S(self.PAD)})

    # Limit=1000 gives pages of 1,000 items (an empty last page allowed), every item once, in order.
    def test_partition_query_pages_by_limit(self):
        pages = self.pages(f'SELECT pk, sk FROM "{self.table}" WHERE pk = \'big\'', Limit=1000)
        sizes = [len(p) for p in pages]
        self.assertIn(sizes, ([1000] * 10, [1000] * 10 + [0]))
        self.assertEqual(self.keys(pages), [("big", i) for i in range(self.ROWS)])

    # Limit counts the items read, not those kept: a filtered partition query pages through them all.
    def test_limit_counts_items_read_before_the_filter(self):
        pages = self.pages(f'SELECT sk FROM "{self.table}" WHERE pk = \'big\' AND n >= 9500 AND n < 9503',
                           Limit=1000)
        self.assertGreaterEqual(len(pages), 10)
        self.assertTrue(all(p == [] for p in pages[:9]), [len(p) for p in pages])
        self.assertEqual([int(i["sk"]["N"]) for p in pages for i in p], [9500, 9501, 9502])

    # A SELECT without a partition-key condition is a paged Scan: every item of the table exactly once.
    def test_scan_shaped_select_pages(self):
        pages = self.pages(f'SELECT * FROM "{self.table}"')
        self.assertGreaterEqual(len(pages), 3, [len(p) for p in pages])
        keys = self.keys(pages)
        self.assertEqual(len(keys), self.ROWS + 5)
        self.assertEqual(set(keys), {("big", i) for i in range(self.ROWS)} | {(f"other{i}", i) for i in range(5)})

        pages = self.pages(f'SELECT pk, sk FROM "{self.table}" WHERE n >= 5000', Limit=1000)
        self.assertTrue(all(len(p) <= 1000 for p in pages))
        self.assertGreaterEqual(len(pages), 10)
        keys = self.keys(pages)
        self.assertEqual(len(keys), 5000)
        self.assertEqual(set(keys), {("big", i) for i in range(5000, self.ROWS)})

    # A token continues only the statement it came from: a scan's token refused by the partition query.
    def test_next_token_is_bound_to_its_statement(self):
        token = self.run_statement(f'SELECT * FROM "{self.table}"', Limit=10)["NextToken"]
        self.assertError("ValidationException", "NextToken does not match request", self.run_statement,
                         f'SELECT * FROM "{self.table}" WHERE pk = \'big\'', NextToken=token)


class BatchExecuteStatementTest(PartiqlTestCase):
    # Write members succeed or fail on their own; TableName is echoed only for CCF/DuplicateItem failures.
    def test_batch_writes_answer_each_member(self):
        t = self.make_table()
        self.put(t, "a", 1, v=N(1))
        missing = harness.unique_name("missing")
        out = self.ddb.batch_execute_statement(Statements=self.members(
            f'INSERT INTO "{t}" VALUE {{\'pk\': \'b\', \'sk\': 2}}',
            f'INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
            f'UPDATE "{t}" SET v = 9 WHERE pk = \'zz\' AND sk = 9',
            (f'UPDATE "{t}" SET v = ? WHERE pk = \'a\' AND sk = 1', [N(2)]),
            f'SLECT * FROM "{t}"',
            f'INSERT INTO "{missing}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
            f'INSERT INTO "{t}" VALUE {{\'pk\': ?, \'sk\': 3}}',
            f'DELETE FROM "{t}" WHERE pk = \'c\' AND sk = 3',
            f'UPDATE "{t}" SET w = 1 WHERE pk = \'a\' AND sk = 1 AND v = 100',
            f'UPDATE "{t}" SET w = 2 WHERE pk = \'b\' AND sk = 2 RETURNING ALL NEW *',
        ))
        self.assertEqual(out["Responses"], [
            {"TableName": t},
            {"Error": {"Code": "DuplicateItem", "Message": DUPLICATE}, "TableName": t},
            {"Error": {"Code": "ConditionalCheckFailed", "Message": CCF}, "TableName": t},
            {"TableName": t},
            {"Error": {"Code": "ValidationError", "Message": MALFORMED + "Expected data manipulation"}},
            {"Error": {"Code": "ResourceNotFound", "Message": NOT_FOUND}},
            {"Error": {"Code": "ValidationError", "Message": PARAMETER_COUNT}},
            {"TableName": t},
            {"Error": {"Code": "ConditionalCheckFailed", "Message": CCF}, "TableName": t},
            {"TableName": t, "Item": {"pk": S("b"), "sk": N(2), "w": N(2)}},
        ])
        self.assertNotIn("ConsumedCapacity", out)
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "v": N(2)})
        self.assertEqual(self.get(t, "b", 2), {"pk": S("b"), "sk": N(2), "w": N(2)})
        self.assertIsNone(self.get(t, "zz", 9))
        with self.subTest("the failed condition's item, when asked for"):
            out = self.ddb.batch_execute_statement(Statements=self.members(
                {"Statement": f'UPDATE "{t}" SET w = 3 WHERE pk = \'a\' AND sk = 1 AND v = 100',
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
            self.assertEqual(out["Responses"], [
                {"Error": {"Code": "ConditionalCheckFailed", "Message": CCF,
                           "Item": {"pk": S("a"), "sk": N(1), "v": N(2)}}, "TableName": t}])

    # Read members return their item (projected), none for a missing key, and per-member refusals.
    def test_batch_reads_answer_each_member(self):
        t = self.make_table()
        a = self.put(t, "a", 1, v=N(1), m={"M": {"k": S("deep")}})
        b = self.put(t, "b", 2, v=N(2))
        out = self.ddb.batch_execute_statement(Statements=self.members(
            f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1',
            (f'SELECT v, m.k FROM "{t}" WHERE pk = ? AND sk = ?', [S("a"), N(1)]),
            {"Statement": f'SELECT * FROM "{t}" WHERE sk = 2 AND pk = \'b\'', "ConsistentRead": True},
            f'SELECT * FROM "{t}" WHERE pk = \'nobody\' AND sk = 1',
            f'SELECT * FROM "{t}" WHERE pk = \'a\'',
            f'SELECT * FROM "{harness.unique_name("missing")}" WHERE pk = \'a\' AND sk = 1',
            f'SELECT * FROM "{t}" WHERE pk = ? AND sk = 1',
        ))
        self.assertEqual(out["Responses"], [
            {"TableName": t, "Item": a},
            {"TableName": t, "Item": {"v": N(1), "k": S("deep")}},
            {"TableName": t, "Item": b},
            {"TableName": t},
            {"Error": {"Code": "ValidationError", "Message": BATCH_KEY}},
            {"Error": {"Code": "ResourceNotFound", "Message": NOT_FOUND}},
            {"Error": {"Code": "ValidationError", "Message": PARAMETER_COUNT}},
        ])

    # Reads and writes in one batch are refused whole, and its write is not applied.
    def test_mixed_batch_is_refused_whole(self):
        t = self.make_table()
        self.put(t, "a", 1)
        self.assertError("ValidationException",
                         "Read and write requests together in the same batch is not supported.",
                         self.ddb.batch_execute_statement, Statements=self.members(
                             f'INSERT INTO "{t}" VALUE {{\'pk\': \'new\', \'sk\': 1}}',
                             f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1'))
        self.assertIsNone(self.get(t, "new"))

    # ReturnConsumedCapacity TOTAL: a list with one entry per table (writes 1 each; reads 0.5, or 1 consistent).
    def test_batch_consumed_capacity_is_a_list_per_table(self):
        t1, t2 = sorted([self.make_table(), self.make_table()])
        out = self.ddb.batch_execute_statement(ReturnConsumedCapacity="TOTAL", Statements=self.members(
            f'INSERT INTO "{t1}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
            f'INSERT INTO "{t2}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
            f'INSERT INTO "{t1}" VALUE {{\'pk\': \'b\', \'sk\': 1}}',
        ))
        self.assertEqual(out["Responses"], [{"TableName": t1}, {"TableName": t2}, {"TableName": t1}])

        def units(consumed):
            return sorted(({"TableName": c["TableName"], "CapacityUnits": c["CapacityUnits"]}
                           for c in consumed), key=lambda c: c["TableName"])

        self.assertEqual(units(out["ConsumedCapacity"]), [{"TableName": t1, "CapacityUnits": 2.0},
                                                          {"TableName": t2, "CapacityUnits": 1.0}])
        out = self.ddb.batch_execute_statement(ReturnConsumedCapacity="TOTAL", Statements=[
            {"Statement": f'SELECT * FROM "{t1}" WHERE pk = \'a\' AND sk = 1'},
            {"Statement": f'SELECT * FROM "{t1}" WHERE pk = \'b\' AND sk = 1', "ConsistentRead": True},
            {"Statement": f'SELECT * FROM "{t2}" WHERE pk = \'a\' AND sk = 1'},
        ])
        self.assertEqual([r["TableName"] for r in out["Responses"]], [t1, t1, t2])
        self.assertEqual(units(out["ConsumedCapacity"]), [{"TableName": t1, "CapacityUnits": 1.5},
                                                          {"TableName": t2, "CapacityUnits": 0.5}])


class ExecuteTransactionTest(PartiqlTestCase):
    def tx(self, *statements, **kwargs):
        return self.ddb.execute_transaction(TransactStatements=self.members(*statements), **kwargs)

    def assertCancelled(self, reasons, *statements, **kwargs):
        """Expects TransactionCanceledException with these CancellationReasons, in order."""
        codes = ", ".join(r["Code"] for r in reasons)
        response = self.assertError("TransactionCanceledException", f"{CANCELLED}[{codes}]",
                                    self.tx, *statements, **kwargs)
        self.assertEqual(response["CancellationReasons"], reasons)

    # A write transaction applies INSERT, UPDATE, DELETE and a true EXISTS together and answers Responses [].
    def test_write_transaction_applies_every_statement(self):
        t = self.make_table()
        self.put(t, "a", 1, n=N(1))
        self.put(t, "d", 1)
        self.put(t, "e", 1, status=S("open"))
        out = self.tx(
            f'INSERT INTO "{t}" VALUE {{\'pk\': \'new\', \'sk\': 1, \'v\': \'x\'}}',
            (f'UPDATE "{t}" SET n = n + ? WHERE pk = ? AND sk = 1', [N(1), S("a")]),
            f'DELETE FROM "{t}" WHERE pk = \'d\' AND sk = 1',
            f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'e\' AND sk = 1 AND status = \'open\')',
        )
        self.assertEqual(out["Responses"], [])
        self.assertEqual(self.get(t, "new"), {"pk": S("new"), "sk": N(1), "v": S("x")})
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "n": N(2)})
        self.assertIsNone(self.get(t, "d"))
        self.assertEqual(self.get(t, "e"), {"pk": S("e"), "sk": N(1), "status": S("open")})

    # One failing statement cancels all: reasons in statement order (Item on ALL_OLD), and nothing written.
    def test_cancelled_transaction_writes_nothing_and_gives_reasons_in_order(self):
        t = self.make_table()
        a = self.put(t, "a", 1, n=N(1))
        b = self.put(t, "b", 1, n=N(1))
        dup = self.put(t, "dup", 1)
        c = self.put(t, "c", 1, status=S("closed"))
        e = self.put(t, "e", 1, n=N(1))
        failed = {"Code": "ConditionalCheckFailed", "Message": CCF}
        self.assertCancelled(
            [{"Code": "None"}, {"Code": "None"}, {**failed, "Item": b},
             {"Code": "DuplicateItem", "Message": DUPLICATE}, failed, failed, {"Code": "None"}],
            f'INSERT INTO "{t}" VALUE {{\'pk\': \'fresh\', \'sk\': 1}}',
            f'UPDATE "{t}" SET n = 2 WHERE pk = \'a\' AND sk = 1',
            {"Statement": f'UPDATE "{t}" SET n = 5 WHERE pk = \'b\' AND sk = 1 AND n = 100',
             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
            f'INSERT INTO "{t}" VALUE {{\'pk\': \'dup\', \'sk\': 1, \'v\': 1}}',
            f'UPDATE "{t}" SET n = 1 WHERE pk = \'missing\' AND sk = 1',
            f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'c\' AND sk = 1 AND status = \'open\')',
            f'DELETE FROM "{t}" WHERE pk = \'e\' AND sk = 1 AND n = 1',
        )
        self.assertIsNone(self.get(t, "fresh"))
        self.assertIsNone(self.get(t, "missing"))
        for pk, item in [("a", a), ("b", b), ("dup", dup), ("c", c), ("e", e)]:
            with self.subTest(pk=pk):
                self.assertEqual(self.get(t, pk), item)
        # The message of the simplest case, exactly as DynamoDB words it.
        self.assertCancelled([{"Code": "None"}, failed],
                             f'UPDATE "{t}" SET n = 3 WHERE pk = \'a\' AND sk = 1',
                             f'UPDATE "{t}" SET n = 3 WHERE pk = \'b\' AND sk = 1 AND n = 100')
        self.assertEqual(self.get(t, "a"), a)

    # EXISTS is a condition check: true lets the transaction write, false (or a missing item) cancels it.
    def test_exists_condition_check(self):
        t = self.make_table()
        self.put(t, "gate", 1, status=S("open"))
        self.put(t, "x", 1, n=N(0))
        for why, condition, applied in [
            ("true", "status = 'open'", True),
            ("false", "status = 'closed'", False),
            ("attribute missing", "other = 1", False),
        ]:
            with self.subTest(why):
                exists = f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'gate\' AND sk = 1 AND {condition})'
                update = f'UPDATE "{t}" SET n = n + 1 WHERE pk = \'x\' AND sk = 1'
                before = int(self.get(t, "x")["n"]["N"])
                if applied:
                    self.assertEqual(self.tx(exists, update)["Responses"], [])
                else:
                    self.assertCancelled([{"Code": "ConditionalCheckFailed", "Message": CCF}, {"Code": "None"}],
                                         exists, update)
                self.assertEqual(int(self.get(t, "x")["n"]["N"]), before + (1 if applied else 0))
        with self.subTest("missing item"):
            self.assertCancelled(
                [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": CCF}],
                f'UPDATE "{t}" SET n = 100 WHERE pk = \'x\' AND sk = 1',
                f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'nobody\' AND sk = 1 AND status = \'open\')')
            self.assertEqual(self.get(t, "x")["n"], N(1))

    # A read transaction answers one entry per SELECT, in order: the item, or {} for a missing key.
    def test_read_transaction(self):
        t1, t2 = self.make_table(), self.make_table()
        a = self.put(t1, "a", 1, v=N(1), m={"M": {"k": S("deep")}})
        b = self.put(t2, "b", 2, v=N(2))
        self.put(t1, "c", 3, v=N(3), m={"M": {"k": S("deep")}})
        out = self.tx(
            f'SELECT * FROM "{t1}" WHERE pk = \'a\' AND sk = 1',
            f'SELECT * FROM "{t1}" WHERE pk = \'nobody\' AND sk = 1',
            (f'SELECT * FROM "{t2}" WHERE pk = ? AND sk = ?', [S("b"), N(2)]),
            f'SELECT v, m.k FROM "{t1}" WHERE sk = 3 AND pk = \'c\'',
        )
        self.assertEqual(out["Responses"], [{"Item": a}, {}, {"Item": b}, {"Item": {"v": N(3), "k": S("deep")}}])
        with self.subTest("one item twice"):
            with self.assertRaises(ClientError) as cm:
                self.tx(f'SELECT * FROM "{t1}" WHERE pk = \'a\' AND sk = 1',
                        f'SELECT v FROM "{t1}" WHERE sk = 1 AND pk = \'a\'')
            self.assertEqual(cm.exception.response["Error"]["Message"],
                             "Transaction request cannot include multiple operations on one item")

    # A replayed ClientRequestToken answers again without applying again; with other statements it is refused.
    def test_client_request_token_replay_applies_once(self):
        t = self.make_table()
        self.put(t, "a", 1, n=N(0))
        token = str(uuid.uuid4())
        increment = f'UPDATE "{t}" SET n = n + 1 WHERE pk = \'a\' AND sk = 1'
        for attempt in range(3):
            with self.subTest(attempt=attempt):
                self.assertEqual(self.tx(increment, ClientRequestToken=token)["Responses"], [])
                self.assertEqual(self.get(t, "a")["n"], N(1))
        # The mismatch message is the one TransactWriteItems gives (the same idempotency machinery).
        other = str(uuid.uuid4())
        update = dict(TableName=t, Key={"pk": S("a"), "sk": N(2)}, UpdateExpression="SET v = :v")
        self.ddb.transact_write_items(ClientRequestToken=other, TransactItems=[
            {"Update": {**update, "ExpressionAttributeValues": {":v": N(1)}}}])
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(ClientRequestToken=other, TransactItems=[
                {"Update": {**update, "ExpressionAttributeValues": {":v": N(2)}}}])
        expected = ctx.exception.response["Error"]
        self.assertEqual(expected["Code"], "IdempotentParameterMismatchException")
        self.assertError("IdempotentParameterMismatchException", expected["Message"], self.tx,
                         f'UPDATE "{t}" SET n = n + 2 WHERE pk = \'a\' AND sk = 1', ClientRequestToken=token)
        self.assertEqual(self.get(t, "a")["n"], N(1))

    # Shapes ExecuteTransaction refuses before running anything, with DynamoDB's messages.
    def test_transaction_validation_errors(self):
        t = self.make_table(
            extra_attributes=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}],
        )
        self.put(t, "a", 1, g=S("G"))
        self.put(t, "b", 1, g=S("G"))
        insert_new = f'INSERT INTO "{t}" VALUE {{\'pk\': \'new\', \'sk\': 1}}'
        read_a = f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1'
        for why, statements, code, message in [
            ("a read with a write", [read_a, insert_new], "ValidationException",
             "ExecuteTransaction API does not support both read and write operations in the same request."),
            ("RETURNING", [insert_new, f'UPDATE "{t}" SET v = 1 WHERE pk = \'b\' AND sk = 1 RETURNING ALL NEW *'],
             "ValidationException",
             "Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction."),
            ("DELETE RETURNING", [f'DELETE FROM "{t}" WHERE pk = \'b\' AND sk = 1 RETURNING ALL OLD *'],
             "ValidationException",
             "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction."),
            ("a read of an index", [f'SELECT * FROM "{t}"."byG" WHERE g = \'G\''], "ValidationException",
             "Validation failed in TransactStatements[0]: Reads on indices are not supported within transactions."),
            ("a read without the sort key", [read_a, f'SELECT * FROM "{t}" WHERE pk = \'b\''],
             "ValidationException", f"Validation failed in TransactStatements[1]: {TX_KEY}"),
            ("a read with another condition", [f'SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1 AND g = \'G\''],
             "ValidationException", f"Validation failed in TransactStatements[0]: {TX_KEY}"),
            ("EXISTS by key only", [f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1)', insert_new],
             "ValidationException", "Validation failed in TransactStatements[0]: EXISTS() must contain a single "
             "item read with additional condition"),
            ("two statements on one item", [insert_new, f'UPDATE "{t}" SET v = 1 WHERE pk = \'a\' AND sk = 1',
                                            f'DELETE FROM "{t}" WHERE pk = \'a\' AND sk = 1'],
             "ValidationException", "Transaction request cannot include multiple operations on one item"),
            ("EXISTS and a write on one item",
             [f'EXISTS(SELECT * FROM "{t}" WHERE pk = \'a\' AND sk = 1 AND g = \'G\')',
              f'UPDATE "{t}" SET v = 1 WHERE pk = \'a\' AND sk = 1'],
             "ValidationException", "Transaction request cannot include multiple operations on one item"),
            ("an unknown table", [insert_new, f'INSERT INTO "{harness.unique_name("missing")}" VALUE '
                                              "{'pk': 'a', 'sk': 1}"],
             "ResourceNotFoundException", NOT_FOUND),
        ]:
            with self.subTest(why):
                self.assertError(code, message, self.tx, *statements)
                self.assertIsNone(self.get(t, "new"))
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "g": S("G")})

    # ReturnConsumedCapacity TOTAL on a write transaction: one entry per table, 2 units per small item written.
    def test_transaction_consumed_capacity(self):
        t1, t2 = sorted([self.make_table(), self.make_table()])
        out = self.tx(f'INSERT INTO "{t1}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
                      f'INSERT INTO "{t2}" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
                      f'INSERT INTO "{t1}" VALUE {{\'pk\': \'b\', \'sk\': 1}}',
                      ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["Responses"], [])
        got = sorted(({"TableName": c["TableName"], "CapacityUnits": c["CapacityUnits"]}
                      for c in out["ConsumedCapacity"]), key=lambda c: c["TableName"])
        self.assertEqual(got, [{"TableName": t1, "CapacityUnits": 4.0}, {"TableName": t2, "CapacityUnits": 2.0}])


class TransactionConflictTest(PartiqlTestCase):
    """A server that holds every transaction in flight for 1.5 s, items locked, to make conflicts reproducible."""

    server_args = ("--transaction-hold-ms", "1500")

    # While a transaction holds an item, another transaction is cancelled (TransactionConflict) and a
    # PutItem/UpdateItem is TransactionConflictException; the held transaction's write lands afterwards.
    def test_transaction_in_flight_conflicts_with_other_writes(self):
        t = self.make_table()
        self.put(t, "a", 1, n=N(0))
        holder_client = self.server.client()
        contender = self.server.client(max_attempts=1)  # a retry could outlast the hold
        outcome = {}

        def hold():
            try:
                outcome["response"] = holder_client.execute_transaction(TransactStatements=[
                    {"Statement": f'UPDATE "{t}" SET n = 1 WHERE pk = \'a\' AND sk = 1'}])
            except ClientError as e:
                outcome["error"] = e.response["Error"]

        holder = threading.Thread(target=hold, daemon=True)
        started = time.monotonic()
        holder.start()
        time.sleep(0.5)  # the holder is in its 1.5 s hold by now
        conflict = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item."}
        key = {"pk": S("a"), "sk": N(1)}
        attempts = [
            ("ExecuteTransaction", "TransactionCanceledException", f"{CANCELLED}[TransactionConflict]",
             lambda: contender.execute_transaction(TransactStatements=[
                 {"Statement": f'UPDATE "{t}" SET n = 2 WHERE pk = \'a\' AND sk = 1'}])),
            ("TransactWriteItems", "TransactionCanceledException", f"{CANCELLED}[TransactionConflict]",
             lambda: contender.transact_write_items(TransactItems=[{"Put": {
                 "TableName": t, "Item": {**key, "n": N(3)}}}])),
            ("PutItem", "TransactionConflictException", "Transaction is ongoing for the item",
             lambda: contender.put_item(TableName=t, Item={**key, "n": N(4)})),
            ("UpdateItem", "TransactionConflictException", "Transaction is ongoing for the item",
             lambda: contender.update_item(TableName=t, Key=key, UpdateExpression="SET n = :n",
                                           ExpressionAttributeValues={":n": N(5)})),
        ]
        results = []
        for name, code, message, call in attempts:
            try:
                call()
                results.append((name, None))
            except ClientError as e:
                results.append((name, e.response))
        still_held = holder.is_alive()
        holder.join(30)
        elapsed = time.monotonic() - started
        self.assertFalse(holder.is_alive())
        self.assertNotIn("error", outcome, "the held transaction itself failed")
        self.assertEqual(outcome["response"]["Responses"], [])
        self.assertTrue(still_held, f"the transaction ended before the contenders ran ({elapsed:.1f} s)")
        self.assertGreaterEqual(elapsed, 1.5)
        for (name, code, message, _), (_, response) in zip(attempts, results):
            with self.subTest(name):
                self.assertIsNotNone(response, f"{name} succeeded while the item was held")
                self.assertEqual((response["Error"]["Code"], response["Error"]["Message"]), (code, message))
                if code == "TransactionCanceledException":
                    self.assertEqual(response["CancellationReasons"], [conflict])
        self.assertEqual(self.get(t, "a"), {"pk": S("a"), "sk": N(1), "n": N(1)})



class ConcurrentTransactionTest(PartiqlTestCase):
    """Many clients racing on one item through ExecuteTransaction: no update is lost."""

    # Each client reads the item's version, then moves two items in one transaction conditioned on
    # that version (the optimistic lock): exactly one of the racers wins each version, a stale one is
    # cancelled (ConditionalCheckFailed, or TransactionConflict while the winner holds the item)
    # and retries. The counter ends at the number of increments and the two items stay in step.
    def test_racing_version_checked_transactions_lose_no_update(self):
        t = self.make_table()
        self.put(t, "counter", 1, n=N(0), v=N(0))
        self.put(t, "mirror", 1, n=N(0))
        clients, increments = 8, 15
        outcomes = {"won": 0, "cancelled": 0, "errors": []}
        lock = threading.Lock()

        def worker():
            ddb = self.server.client(max_attempts=1)
            for _ in range(increments):
                for _attempt in range(500):
                    item = ddb.execute_statement(
                        Statement=f'SELECT v FROM "{t}" WHERE pk = \'counter\' AND sk = 1',
                        ConsistentRead=True)["Items"][0]
                    version = item["v"]
                    try:
                        ddb.execute_transaction(TransactStatements=[
                            {"Statement": f'UPDATE "{t}" SET n = n + 1, v = v + 1 '
                                          f'WHERE pk = \'counter\' AND sk = 1 AND v = ?',
                             "Parameters": [version]},
                            {"Statement": f'UPDATE "{t}" SET n = n + 1 WHERE pk = \'mirror\' AND sk = 1'},
                        ])
                        with lock:
                            outcomes["won"] += 1
                        break
                    except ClientError as e:
                        err = e.response["Error"]
                        codes = {r["Code"] for r in e.response.get("CancellationReasons", [])}
                        if err["Code"] != "TransactionCanceledException" or not codes <= {
                                "None", "ConditionalCheckFailed", "TransactionConflict"}:
                            with lock:
                                outcomes["errors"].append(err)
                            return
                        with lock:
                            outcomes["cancelled"] += 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        self.assertEqual(outcomes["errors"], [])
        self.assertEqual(outcomes["won"], clients * increments)
        total = N(clients * increments)
        self.assertEqual(self.get(t, "counter"), {"pk": S("counter"), "sk": N(1), "n": total, "v": total})
        self.assertEqual(self.get(t, "mirror"), {"pk": S("mirror"), "sk": N(1), "n": total})
        self.assertGreater(outcomes["cancelled"], 0, "the clients never raced")

if __name__ == "__main__":
    unittest.main()
