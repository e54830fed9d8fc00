// ExecuteStatement in process: PartiQL writes through the write path with
// DynamoDB's outcomes (INSERT is no upsert, UPDATE needs the item, DELETE
// of a missing item is no error), SELECT as a Query or a Scan with Limit and
// NextToken, RETURNING, and the refusals.
#include <gtest/gtest.h>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

class PartiqlApiTest : public ApiTest {
 protected:
  // {"Statement": text, "Parameters": params}
  std::string Run(const std::string& text, const std::string& params = "") {
    JsonDocument doc;
    doc.SetObject();
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("Statement");
    w.String(text);
    w.EndObject();
    std::string body(buf.GetString(), buf.GetSize());
    if (!params.empty()) body.insert(body.size() - 1, R"(,"Parameters":)" + params);
    ApiResponse r = Call("ExecuteStatement", body);
    if (r.status == 200) return r.body;
    return Outcome("ExecuteStatement", body);
  }
};

TEST_F(PartiqlApiTest, WritesAndReadsInOrder) {
  const struct {
    const char* statement;
    const char* params;
    const char* expected;
  } cases[] = {
      {R"(INSERT INTO "tab" VALUE {'pk': 'a', 'sk': 1, 'v': 'one'})", "", R"({"Items":[]})"},
      {R"(INSERT INTO tab VALUE {'pk': ?, 'sk': ?, 'v': 'two', 'n': 5})",
       R"([{"S":"a"},{"N":"2"}])", R"({"Items":[]})"},
      {R"(INSERT INTO "tab" VALUE {'pk': 'a', 'sk': 1})", "",
       "DuplicateItemException: Duplicate primary key exists in table"},
      {R"(INSERT INTO "tab" VALUE {'pk': 'a'})", "",
       "ValidationException: Key attribute should be present in the item: Key sk"},
      {R"(INSERT INTO "tab" VALUE {'pk': 'a', 'sk': 'x'})", "",
       "ValidationException: Key attribute's data type should match its data type in table's "
       "schema: Key sk"},
      {R"(INSERT INTO "nope" VALUE {'pk': 'a'})", "",
       "ResourceNotFoundException: Requested resource not found"},
      {R"(SELECT * FROM "tab" WHERE pk = 'a' AND sk = 1)", "",
       R"({"Items":[{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}]})"},
      {R"(SELECT v, n FROM "tab" WHERE pk = 'a' AND sk > 1)", "",
       R"({"Items":[{"n":{"N":"5"},"v":{"S":"two"}}]})"},
      {R"(SELECT sk FROM "tab" WHERE v = 'two' OR v = 'one')", "",
       R"({"Items":[{"sk":{"N":"1"}},{"sk":{"N":"2"}}]})"},
      {R"(UPDATE "tab" SET n = n + 1 SET w = 'x' WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED NEW *)",
       "", R"({"Items":[{"n":{"N":"6"},"w":{"S":"x"}}]})"},
      {R"(UPDATE "tab" SET n = 1 WHERE pk = 'a' AND sk = 3)", "",
       "ConditionalCheckFailedException: The conditional request failed"},
      {R"(UPDATE "tab" SET n = 1 WHERE pk = 'a' AND sk = 2 AND n = 99)", "",
       "ConditionalCheckFailedException: The conditional request failed"},
      {R"(UPDATE "tab" SET n = 1 WHERE pk = 'a')", "",
       "ValidationException: Where clause does not contain a mandatory equality on all key "
       "attributes"},
      {R"(UPDATE "tab" SET n = 1 WHERE pk = 'a' AND sk = 2 AND pk = 'b')", "",
       "ValidationException: Multiple conditions on same key pk. Only single item "
       "Update/Insert/Delete are supported"},
      {R"(UPDATE "tab" SET sk = 1 WHERE pk = 'a' AND sk = 2)", "",
       "ValidationException: One or more parameter values were invalid: Cannot update attribute "
       "sk. This attribute is part of the key"},
      {R"(DELETE FROM "tab" WHERE pk = 'zz' AND sk = 9 AND v = 'x')", "", R"({"Items":[]})"},
      {R"(DELETE FROM "tab" WHERE pk = 'a' AND sk = 1 AND v = 'nope')", "",
       "ConditionalCheckFailedException: The conditional request failed"},
      {R"(DELETE FROM "tab" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *)", "",
       R"({"Items":[{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}]})"},
      {R"(SELECT * FROM "tab" WHERE pk = 'a' AND sk = 1)", "", R"({"Items":[]})"},
      {R"(SELECT * FROM "tab" WHERE pk = ?)", "",
       "ValidationException: Number of parameters in request and statement don't match."},
      {R"(SELECT * FROM "tab"."nope")", "",
       "ValidationException: The table does not have the specified index"},
      {R"(SELECT COUNT(*) FROM "tab")", "",
       "ValidationException: Unexpected path component at 1:8:5"},
      {R"(SELECT COUNT(*) FROM "nope")", "",
       "ResourceNotFoundException: Requested resource not found"},
  };
  for (const auto& c : cases) EXPECT_EQ(Run(c.statement, c.params), c.expected) << c.statement;
}

TEST_F(PartiqlApiTest, SelectPagesByLimitWithNextToken) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Run("INSERT INTO tab VALUE {'pk': 'p', 'sk': " + std::to_string(i) + "}"),
              R"({"Items":[]})");
  }
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    std::string body = R"({"Statement":"SELECT sk FROM tab WHERE pk = 'p'","Limit":2)";
    if (!token.empty()) body += R"(,"NextToken":")" + token + "\"";
    body += "}";
    ApiResponse r = Call("ExecuteStatement", body);
    ASSERT_EQ(r.status, 200) << r.body;
    JsonDocument doc;
    doc.Parse(r.body.c_str());
    for (const auto& item : doc["Items"].GetArray()) seen.push_back(item["sk"]["N"].GetString());
    if (!doc.HasMember("NextToken")) break;
    token = doc["NextToken"].GetString();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(Outcome("ExecuteStatement",
                    R"({"Statement":"SELECT * FROM tab","NextToken":")" + token + "\"}"),
            "ValidationException: NextToken does not match request");
  // The same text with other parameters is another request.
  ApiResponse first = Call("ExecuteStatement", R"({"Statement":"SELECT sk FROM tab WHERE pk = ?",)"
                                               R"("Parameters":[{"S":"p"}],"Limit":1})");
  JsonDocument doc;
  doc.Parse(first.body.c_str());
  ASSERT_TRUE(doc.HasMember("NextToken")) << first.body;
  const std::string first_token = doc["NextToken"].GetString();
  EXPECT_EQ(Outcome("ExecuteStatement", R"({"Statement":"SELECT sk FROM tab WHERE pk = ?",)"
                                        R"("Parameters":[{"S":"q"}],"NextToken":")" +
                                            first_token + "\"}"),
            "ValidationException: NextToken does not match request");
  EXPECT_EQ(Outcome("ExecuteStatement", R"({"Statement":"SELECT * FROM tab","NextToken":"zz"})"),
            "ValidationException: Invalid NextToken");
}

TEST_F(PartiqlApiTest, BatchMembersSucceedAndFailOnTheirOwn) {
  ASSERT_EQ(Run("INSERT INTO tab VALUE {'pk': 'a', 'sk': 1, 'v': 'x'}"), R"({"Items":[]})");
  ApiResponse writes = Call("BatchExecuteStatement", R"({"Statements":[
      {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"},
      {"Statement":"INSERT INTO tab VALUE {'pk': 'a', 'sk': 1}"},
      {"Statement":"UPDATE tab SET v = 'y' WHERE pk = 'a' AND sk = 1 AND v = 'nope'"},
      {"Statement":"SLECT"},
      {"Statement":"DELETE FROM nope WHERE pk = 'a' AND sk = 1"},
      {"Statement":"UPDATE tab SET v = ? WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *","Parameters":[{"S":"z"}]}]})");
  EXPECT_EQ(writes.status, 200);
  EXPECT_EQ(
      writes.body,
      R"({"Responses":[{"TableName":"tab"},)"
      R"({"Error":{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"},"TableName":"tab"},)"
      R"({"Error":{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},"TableName":"tab"},)"
      R"({"Error":{"Code":"ValidationError","Message":"Statement wasn't well formed, can't be processed: Expected data manipulation"}},)"
      R"({"Error":{"Code":"ResourceNotFound","Message":"Requested resource not found"}},)"
      R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"z"}}}]})");
  ApiResponse reads = Call("BatchExecuteStatement", R"j({"Statements":[
      {"Statement":"SELECT v FROM tab WHERE pk = 'a' AND sk = 1"},
      {"Statement":"SELECT * FROM tab WHERE pk = 'none' AND sk = 1"},
      {"Statement":"SELECT * FROM tab WHERE pk = 'a'"},
      {"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND attribute_exists(v)"}]})j");
  EXPECT_EQ(
      reads.body,
      R"({"Responses":[{"TableName":"tab","Item":{"v":{"S":"z"}}},{"TableName":"tab"},)"
      R"({"Error":{"Code":"ValidationError","Message":"Select statements within BatchExecuteStatement must specify the primary key in the where clause."}},)"
      R"({"Error":{"Code":"ValidationError","Message":"Select statements within BatchExecuteStatement must specify the primary key in the where clause."}}]})");
  EXPECT_EQ(Outcome("BatchExecuteStatement", R"({"Statements":[
      {"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 1"},
      {"Statement":"DELETE FROM tab WHERE pk = 'a' AND sk = 1"}]})"),
            "ValidationException: Read and write requests together in the same batch is not "
            "supported.");
  EXPECT_EQ(Outcome("BatchExecuteStatement", R"({"Statements":[]})"),
            "ValidationException: 1 validation error detected: Value '[]' at 'statements' "
            "failed to satisfy constraint: Member must have length greater than or equal to 1");
}

TEST_F(PartiqlApiTest, ProjectionsNameValuesByTheirLastPart) {
  ASSERT_EQ(Run(R"(INSERT INTO hashonly VALUE {'pk': 'a', 'm': {'k': [1, 2]}, 'n': 3})"),
            R"({"Items":[]})");
  EXPECT_EQ(Run(R"(SELECT m.k[1], n, nothing FROM hashonly WHERE pk = 'a')"),
            R"({"Items":[{"k[1]":{"N":"2"},"n":{"N":"3"}}]})");
  EXPECT_EQ(Run(R"(SELECT m.n, n FROM hashonly WHERE pk = 'a')"),
            "ValidationException: Duplicate identifiers in select clause: n");
  const std::string body = R"j({"Statements":[
      {"Statement":"SELECT m.k FROM hashonly WHERE pk = 'a'"},
      {"Statement":"SELECT * FROM hashonly WHERE pk = ?","Parameters":[{"N":"1e99999999999"}]},
      {"Statement":"SELECT * FROM hashonly WHERE pk = 'a' AND begins_with(n)"}]})j";
  ApiResponse batch = Call("BatchExecuteStatement", body);
  EXPECT_EQ(batch.status, 200);
  JsonDocument doc;
  doc.Parse(batch.body.c_str());
  ASSERT_EQ(doc["Responses"].Size(), 3u) << batch.body;
  EXPECT_TRUE(doc["Responses"][0]["Item"].HasMember("k")) << batch.body;
  EXPECT_STREQ(doc["Responses"][1]["Error"]["Code"].GetString(), "ValidationError");
  EXPECT_STREQ(doc["Responses"][2]["Error"]["Code"].GetString(), "ValidationError");
  EXPECT_STREQ(doc["Responses"][2]["Error"]["Message"].GetString(),
               "Incorrect number of operands for operator or function; operator or function: "
               "begins_with, number of operands: 1");
}

TEST_F(PartiqlApiTest, WritesReportCapacityAndGsisReturnOnlyWhatTheyProject) {
  ApiResponse put =
      Call("ExecuteStatement", R"({"Statement":"INSERT INTO hashonly VALUE {'pk': 'c', 'g': 'x'}",)"
                               R"("ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(put.body,
            R"({"Items":[],"ConsumedCapacity":{"TableName":"hashonly","CapacityUnits":1.0}})");
  ASSERT_EQ(Call("CreateTable", R"({"TableName":"gsi","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
        "GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]})")
                .status,
            200);
  ASSERT_EQ(Run("INSERT INTO gsi VALUE {'pk': 'a', 'g': 'x', 'v': 1}"), R"({"Items":[]})");
  EXPECT_EQ(Run(R"(SELECT pk, v, w FROM "gsi"."byG" WHERE g = 'x')"),
            "ValidationException: One or more parameter values were invalid: Global secondary "
            "index byG does not project [v, w]");
  EXPECT_EQ(Run(R"(SELECT * FROM "gsi"."byG" WHERE g = 'x')"),
            R"({"Items":[{"g":{"S":"x"},"pk":{"S":"a"}}]})");
  // A Query of the index cannot filter on what it does not project; a Scan
  // of it, or a filter inside an OR, sees such attributes as absent.
  EXPECT_EQ(Run(R"(SELECT * FROM "gsi"."byG" WHERE g = 'x' AND NOT (v = 2 AND w IS MISSING))"),
            "ValidationException: One or more parameter values were invalid: Secondary index byG "
            "does not project one or more filter attributes: [v, w]");
  EXPECT_EQ(Run(R"(SELECT * FROM "gsi"."byG" WHERE v = 1)"), R"({"Items":[]})");
  EXPECT_EQ(Run(R"(SELECT * FROM "gsi"."byG" WHERE g = 'x' AND (v = 1 OR pk = 'a'))"),
            R"({"Items":[{"g":{"S":"x"},"pk":{"S":"a"}}]})");
}

TEST_F(PartiqlApiTest, PartitionListsQueryEachPartitionInTurnAndOrderByOrdersThem) {
  for (const char* pk : {"a", "b", "c"}) {
    for (int sk = 1; sk <= 3; ++sk) {
      ASSERT_EQ(Run(std::string("INSERT INTO tab VALUE {'pk': '") + pk +
                    "', 'sk': " + std::to_string(sk) + "}"),
                R"({"Items":[]})");
    }
  }
  auto keys = [&](const std::string& statement) {
    std::string out, token;
    for (int page = 0; page < 20; ++page) {
      std::string body = R"({"Limit":2,"Statement":")" + statement + "\"";
      if (!token.empty()) body += R"(,"NextToken":")" + token + "\"";
      ApiResponse r = Call("ExecuteStatement", body + "}");
      if (r.status != 200) return Outcome("ExecuteStatement", body + "}");
      JsonDocument doc;
      doc.Parse(r.body.c_str());
      for (const auto& item : doc["Items"].GetArray()) {
        out += std::string(item["pk"]["S"].GetString()) + item["sk"]["N"].GetString() + " ";
      }
      if (!doc.HasMember("NextToken")) break;
      token = doc["NextToken"].GetString();
    }
    return out;
  };
  const struct {
    const char* statement;
    const char* expected;
  } cases[] = {
      {"SELECT * FROM tab WHERE pk IN ['c', 'a', 'c']", "c1 c2 c3 a1 a2 a3 "},
      {"SELECT * FROM tab WHERE (pk = 'b' OR pk = 'a') AND sk >= 2", "b2 b3 a2 a3 "},
      {"SELECT * FROM tab WHERE pk IN ['c', 'a'] AND sk > 1 ORDER BY pk", "a2 a3 c2 c3 "},
      {"SELECT * FROM tab WHERE pk IN ['a', 'c'] ORDER BY pk DESC", "c3 c2 c1 a3 a2 a1 "},
      {"SELECT * FROM tab WHERE pk = 'b' ORDER BY sk DESC", "b3 b2 b1 "},
      {"SELECT * FROM tab WHERE pk IN ['b', 'zz'] ORDER BY pk, sk DESC", "b3 b2 b1 "},
      {"SELECT * FROM tab ORDER BY sk",
       "ValidationException: Must have WHERE clause in the statement when using ORDER BY clause."},
      {"SELECT * FROM tab WHERE sk = 1 ORDER BY sk",
       "ValidationException: Must have at least one non-optional hash key condition in WHERE "
       "clause when using ORDER BY clause."},
      {"SELECT * FROM tab WHERE pk = 'a' ORDER BY v",
       "ValidationException: Variable reference v in ORDER BY clause must be part of the primary "
       "key"},
  };
  for (const auto& c : cases) EXPECT_EQ(keys(c.statement), c.expected) << c.statement;
  // Each partition is a Query of its own, its units rounded on their own.
  JsonDocument doc;
  doc.Parse(Call("ExecuteStatement",
                 R"({"ReturnConsumedCapacity":"TOTAL",)"
                 R"("Statement":"SELECT * FROM tab WHERE pk IN ['a', 'b', 'c']"})")
                .body.c_str());
  EXPECT_EQ(doc["Items"].Size(), 9u);
  EXPECT_EQ(doc["ConsumedCapacity"]["CapacityUnits"].GetDouble(), 1.5);
}

TEST_F(PartiqlApiTest, BatchReportsCapacityPerTable) {
  ApiResponse writes = Call("BatchExecuteStatement", R"({"ReturnConsumedCapacity":"TOTAL",
      "Statements":[{"Statement":"INSERT INTO tab VALUE {'pk': 'a', 'sk': 1}"},
      {"Statement":"INSERT INTO hashonly VALUE {'pk': 'a'}"},
      {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"}]})");
  EXPECT_EQ(writes.body,
            R"({"Responses":[{"TableName":"tab"},{"TableName":"hashonly"},{"TableName":"tab"}],)"
            R"("ConsumedCapacity":[{"TableName":"hashonly","CapacityUnits":1.0},)"
            R"({"TableName":"tab","CapacityUnits":2.0}]})");
  ApiResponse reads = Call("BatchExecuteStatement", R"({"ReturnConsumedCapacity":"TOTAL",
      "Statements":[{"Statement":"SELECT pk FROM tab WHERE pk = 'a' AND sk = 1"},
      {"Statement":"SELECT pk FROM tab WHERE pk = 'zz' AND sk = 1","ConsistentRead":true}]})");
  EXPECT_EQ(reads.body,
            R"({"Responses":[{"TableName":"tab","Item":{"pk":{"S":"a"}}},{"TableName":"tab"}],)"
            R"("ConsumedCapacity":[{"TableName":"tab","CapacityUnits":1.5}]})");
  // A failed condition's item, when the statement asks for it.
  EXPECT_EQ(Call("BatchExecuteStatement", R"({"Statements":[
      {"Statement":"UPDATE tab SET v = 1 WHERE pk = 'a' AND sk = 1 AND v = 2",
       "ReturnValuesOnConditionCheckFailure":"ALL_OLD"},
      {"Statement":"UPDATE tab SET v = 1 WHERE pk = 'b' AND sk = 1 AND v = 2",
       "ReturnValuesOnConditionCheckFailure":"NONE"}]})")
                .body,
            R"({"Responses":[{"Error":{"Code":"ConditionalCheckFailed","Message":"The )"
            R"(conditional request failed","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}},)"
            R"("TableName":"tab"},{"Error":{"Code":"ConditionalCheckFailed","Message":"The )"
            R"(conditional request failed"},"TableName":"tab"}]})");
  ApiResponse failed = Call("BatchExecuteStatement", R"({"ReturnConsumedCapacity":"TOTAL",
      "Statements":[{"Statement":"INSERT INTO tab VALUE {'pk': 'a', 'sk': 1}"}]})");
  EXPECT_EQ(failed.body,
            R"({"Responses":[{"Error":{"Code":"DuplicateItem","Message":"Duplicate primary key )"
            R"(exists in table"},"TableName":"tab"}]})");
}

class PartiqlTransactionTest : public PartiqlApiTest {
 protected:
  // ExecuteTransaction of the statements (JSON members, without the brackets).
  std::string Transact(const std::string& members, const std::string& extra = "") {
    const std::string body = R"({"TransactStatements":[)" + members + "]" + extra + "}";
    ApiResponse r = Call("ExecuteTransaction", body);
    if (r.status == 200) return r.body;
    return Outcome("ExecuteTransaction", body) + " " + Reasons(r.body);
  }
  static std::string Reasons(const std::string& body) {
    JsonDocument doc;
    doc.Parse(body.c_str());
    if (doc.HasParseError() || !doc.HasMember("CancellationReasons")) return "";
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    doc["CancellationReasons"].Accept(w);
    return buf.GetString();
  }
  std::string Item(const std::string& pk, int sk) {
    return Run("SELECT * FROM tab WHERE pk = '" + pk + "' AND sk = " + std::to_string(sk));
  }
};

TEST_F(PartiqlTransactionTest, WritesApplyAllOrNothing) {
  ASSERT_EQ(Run("INSERT INTO tab VALUE {'pk': 'a', 'sk': 1, 'n': 1, 'st': 'open'}"),
            R"({"Items":[]})");
  const struct {
    std::string members;
    std::string expected;
  } cases[] = {
      {R"({"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"},
          {"Statement":"UPDATE tab SET n = n + 1 WHERE pk = 'a' AND sk = 1 AND n = 99"})",
       R"(TransactionCanceledException: Transaction cancelled, please refer cancellation reasons )"
       R"(for specific reasons [None, ConditionalCheckFailed] [{"Code":"None"},)"
       R"({"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}])"},
      {R"({"Statement":"INSERT INTO tab VALUE {'pk': 'a', 'sk': 1}"},
          {"Statement":"UPDATE tab SET n = 5 WHERE pk = 'zz' AND sk = 1"},
          {"Statement":"DELETE FROM tab WHERE pk = 'a' AND sk = 'x'"})",
       R"(TransactionCanceledException: Transaction cancelled, please refer cancellation reasons )"
       R"(for specific reasons [DuplicateItem, ConditionalCheckFailed, ValidationError] )"
       R"([{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"},)"
       R"({"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},)"
       R"({"Code":"ValidationError","Message":"Key attribute's data type should match its data )"
       R"(type in table's schema: Key sk"}])"},
      {R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND st = 'shut')"},
          {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"})j",
       R"(TransactionCanceledException: Transaction cancelled, please refer cancellation reasons )"
       R"(for specific reasons [ConditionalCheckFailed, None] [{"Code":"ConditionalCheckFailed",)"
       R"("Message":"The conditional request failed"},{"Code":"None"}])"},
      {R"({"Statement":"UPDATE tab SET n = 7 WHERE pk = 'a' AND sk = 1 AND n = 0",
           "ReturnValuesOnConditionCheckFailure":"ALL_OLD"})",
       R"(TransactionCanceledException: Transaction cancelled, please refer cancellation reasons )"
       R"(for specific reasons [ConditionalCheckFailed] [{"Item":{"n":{"N":"1"},"pk":{"S":"a"},)"
       R"("sk":{"N":"1"},"st":{"S":"open"}},"Code":"ConditionalCheckFailed",)"
       R"("Message":"The conditional request failed"}])"},
      {R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND st = 'open')"},
          {"Statement":"INSERT INTO tab VALUE {'pk': ?, 'sk': 1}","Parameters":[{"S":"b"}]},
          {"Statement":"FROM tab WHERE pk = 'c' AND sk = 1 SET n = 1"})j",
       R"(TransactionCanceledException: Transaction cancelled, please refer cancellation reasons )"
       R"(for specific reasons [None, None, ConditionalCheckFailed] [{"Code":"None"},)"
       R"({"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request )"
       R"(failed"}])"},
  };
  for (const auto& c : cases) EXPECT_EQ(Transact(c.members), c.expected) << c.members;
  EXPECT_EQ(Item("b", 1), R"({"Items":[]})");
  EXPECT_EQ(Item("a", 1),
            R"({"Items":[{"n":{"N":"1"},"pk":{"S":"a"},"sk":{"N":"1"},"st":{"S":"open"}}]})");
  EXPECT_EQ(
      Transact(
          R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND st = 'open')"},
          {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"},
          {"Statement":"FROM tab WHERE pk = 'b' AND sk = 1 AND n = 1 SET n = 2"},
          {"Statement":"DELETE FROM tab WHERE pk = 'zz' AND sk = 1 AND n = 3"})j"),
      "ValidationException: Transaction request cannot include multiple operations on one "
      "item ");
  EXPECT_EQ(
      Transact(
          R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND st = 'open')"},
          {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"},
          {"Statement":"UPDATE tab SET n = n + 1 WHERE pk = 'b' AND sk = 2"},
          {"Statement":"DELETE FROM tab WHERE pk = 'zz' AND sk = 1 AND n = 3"})j",
          R"(,"ReturnConsumedCapacity":"TOTAL")"),
      "TransactionCanceledException: Transaction cancelled, please refer cancellation "
      "reasons for specific reasons [None, None, ConditionalCheckFailed, None] "
      R"([{"Code":"None"},{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The )"
      R"(conditional request failed"},{"Code":"None"}])");
  EXPECT_EQ(
      Transact(
          R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND st = 'open')"},
          {"Statement":"INSERT INTO tab VALUE {'pk': 'b', 'sk': 1}"},
          {"Statement":"DELETE FROM tab WHERE pk = 'zz' AND sk = 1 AND n = 3"})j",
          R"(,"ReturnConsumedCapacity":"TOTAL")"),
      R"({"Responses":[],"ConsumedCapacity":[{"TableName":"tab","CapacityUnits":6.0,)"
      R"("WriteCapacityUnits":6.0}]})");
  EXPECT_EQ(Item("b", 1), R"({"Items":[{"pk":{"S":"b"},"sk":{"N":"1"}}]})");
}

TEST_F(PartiqlTransactionTest, RefusalsNameTheirStatement) {
  const struct {
    std::string members;
    std::string expected;
  } cases[] = {
      {R"({"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 1"},
          {"Statement":"DELETE FROM tab WHERE pk = 'a' AND sk = 2"})",
       "ValidationException: ExecuteTransaction API does not support both read and write "
       "operations in the same request. "},
      {R"({"Statement":"DELETE FROM tab WHERE pk = 'a' AND sk = 2"},
          {"Statement":"UPDATE tab SET v = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *"})",
       "ValidationException: Validation failed in TransactStatements[1]: RETURNING clause is not "
       "supported in ExecuteTransaction. "},
      {R"({"Statement":"SELECT * FROM tab WHERE pk = 'a'"})",
       "ValidationException: Validation failed in TransactStatements[0]: Select statements "
       "within ExecuteTransaction must specify the primary key in the where clause. "},
      {R"({"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 1 AND v = 2"})",
       "ValidationException: Validation failed in TransactStatements[0]: Select statements "
       "within ExecuteTransaction must specify the primary key in the where clause. "},
      {R"({"Statement":"SELECT * FROM \"tab\".\"idx\" WHERE pk = 'a' AND sk = 1"})",
       "ValidationException: Validation failed in TransactStatements[0]: Reads on indices are "
       "not supported within transactions. "},
      {R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1)"})j",
       "ValidationException: Validation failed in TransactStatements[0]: EXISTS() must contain "
       "a single item read with additional condition "},
      {R"j({"Statement":"EXISTS(SELECT * FROM tab)"})j",
       "ValidationException: Validation failed in TransactStatements[0]: EXISTS() must contain "
       "a single item read with additional condition "},
      {R"({"Statement":"DELETE FROM tab WHERE pk = ? AND sk = 1"})",
       "ValidationException: Validation failed in TransactStatements[0]: Number of parameters "
       "in request and statement don't match. "},
      {R"({"Statement":"SLECT"})",
       "ValidationException: Statement wasn't well formed, can't be processed: Expected data "
       "manipulation "},
      {R"({"Statement":"DELETE FROM nope WHERE pk = 'a'"})",
       "ResourceNotFoundException: Requested resource not found "},
      {"",
       "ValidationException: 1 validation error detected: Value '[]' at 'transactStatements' "
       "failed to satisfy constraint: Member must have length greater than or equal to 1 "},
  };
  for (const auto& c : cases) EXPECT_EQ(Transact(c.members), c.expected) << c.members;
  EXPECT_EQ(Outcome("ExecuteStatement",
                    R"j({"Statement":"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND v = 1)"})j"),
            "ValidationException: EXISTS can only be used in ExecuteTransaction write requests.");
}

TEST_F(PartiqlTransactionTest, ReadsAnswerEachStatementFromOneSnapshot) {
  ASSERT_EQ(Run("INSERT INTO tab VALUE {'pk': 'a', 'sk': 1, 'v': 'x', 'm': {'k': 2}}"),
            R"({"Items":[]})");
  ASSERT_EQ(Run("INSERT INTO hashonly VALUE {'pk': 'h'}"), R"({"Items":[]})");
  EXPECT_EQ(Transact(R"({"Statement":"SELECT m.k, v FROM tab WHERE sk = 1 AND pk = 'a'"},
                        {"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 2"},
                        {"Statement":"SELECT * FROM hashonly WHERE pk = ?","Parameters":[{"S":"h"}]},
                        {"Statement":"SELECT nothing FROM tab WHERE pk = 'b' AND sk = 1"})",
                     R"(,"ReturnConsumedCapacity":"TOTAL")"),
            R"({"Responses":[{"Item":{"k":{"N":"2"},"v":{"S":"x"}}},{},{"Item":{"pk":{"S":"h"}}},)"
            R"({}],"ConsumedCapacity":[{"TableName":"hashonly","CapacityUnits":2.0,)"
            R"("ReadCapacityUnits":2.0},{"TableName":"tab","CapacityUnits":6.0,)"
            R"("ReadCapacityUnits":6.0}]})");
  EXPECT_EQ(Transact(R"({"Statement":"SELECT * FROM tab WHERE pk = 'a' AND sk = 'one'"},
                        {"Statement":"SELECT * FROM tab WHERE pk = 'b' AND sk = 1"})"),
            "TransactionCanceledException: Transaction cancelled, please refer cancellation "
            "reasons for specific reasons [ValidationError, None] "
            R"([{"Code":"ValidationError","Message":"Key attribute's data type should match its )"
            R"(data type in table's schema: Key sk"},{"Code":"None"}])");
}

TEST_F(PartiqlTransactionTest, ClientRequestTokenAppliesOnce) {
  ASSERT_EQ(Run("INSERT INTO tab VALUE {'pk': 'a', 'sk': 1, 'n': 0}"), R"({"Items":[]})");
  const std::string increment =
      R"({"Statement":"UPDATE tab SET n = n + 1 WHERE pk = 'a' AND sk = 1"})";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Transact(increment, R"(,"ClientRequestToken":"tok-1")"), R"({"Responses":[]})");
  }
  EXPECT_EQ(Item("a", 1), R"({"Items":[{"n":{"N":"1"},"pk":{"S":"a"},"sk":{"N":"1"}}]})");
  EXPECT_EQ(Transact(R"({"Statement":"UPDATE tab SET n = n + 2 WHERE pk = 'a' AND sk = 1"})",
                     R"(,"ClientRequestToken":"tok-1")"),
            "IdempotentParameterMismatchException: Transaction with the same ClientRequestToken "
            "but different parameters has already been submitted ");
}

// An index read as DynamoDB's PartiQL does it: a filter sees what the index
// projects, an LSI fetches from the table what a SELECT names beyond its
// projection (charged to the table), and an index keyed on several
// attributes is refused.
TEST_F(PartiqlApiTest, IndexReadsSeeTheirProjection) {
  ApiResponse created = Call("CreateTable", R"j({"TableName":"ixt","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},
          {"AttributeName":"l","AttributeType":"S"},{"AttributeName":"h1","AttributeType":"S"},{"AttributeName":"h2","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
        "GlobalSecondaryIndexes":[{"IndexName":"multi","KeySchema":[{"AttributeName":"h1","KeyType":"HASH"},{"AttributeName":"h2","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
        "LocalSecondaryIndexes":[{"IndexName":"lsk","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]})j");
  ASSERT_EQ(created.status, 200) << created.body;
  for (const char* n : {"1", "2", "3"}) {
    ASSERT_EQ(Run(std::string("INSERT INTO ixt VALUE {'pk': 'p', 'sk': 's") + n + "', 'l': 'l" + n +
                  "', 'h1': 'a', 'h2': 'b', 'np': 'v" + n + "'}"),
              R"({"Items":[]})");
  }
  const struct {
    const char* statement;
    const char* expected;
  } cases[] = {
      {R"(SELECT sk FROM "ixt"."lsk" WHERE np = 'v1')", R"({"Items":[]})"},
      {R"(SELECT sk FROM "ixt"."lsk" WHERE pk = 'p' AND np = 'v1')",
       "ValidationException: One or more parameter values were invalid: Secondary index lsk does "
       "not project one or more filter attributes: [np]"},
      {R"(SELECT np FROM "ixt"."lsk" WHERE pk = 'p' AND l > 'l1')",
       R"({"Items":[{"np":{"S":"v2"}},{"np":{"S":"v3"}}]})"},
      {R"(SELECT * FROM "ixt"."multi" WHERE h1 = 'a')",
       "ValidationException: PartiQL statements cannot be executed on tables with "
       "multi-attribute HASH keys or multi-attribute RANGE keys."},
      {R"(SELECT COUNT(*) FROM "ixt"."multi")",
       "ValidationException: PartiQL statements cannot be executed on tables with "
       "multi-attribute HASH keys or multi-attribute RANGE keys."},
  };
  for (const auto& c : cases) EXPECT_EQ(Run(c.statement), c.expected) << c.statement;
  auto capacity = [&](const std::string& statement) {
    return Call("ExecuteStatement",
                R"({"ReturnConsumedCapacity":"INDEXES","Statement":")" + statement + "\"}")
        .body;
  };
  EXPECT_EQ(capacity(R"(SELECT np FROM \"ixt\".\"lsk\" WHERE pk = 'p')"),
            R"({"Items":[{"np":{"S":"v1"}},{"np":{"S":"v2"}},{"np":{"S":"v3"}}],)"
            R"("ConsumedCapacity":{"TableName":"ixt","CapacityUnits":2.0,"Table":)"
            R"({"CapacityUnits":1.5},"LocalSecondaryIndexes":{"lsk":{"CapacityUnits":0.5}}}})");
  EXPECT_EQ(capacity(R"(SELECT sk FROM \"ixt\".\"lsk\" WHERE pk = 'p')"),
            R"({"Items":[{"sk":{"S":"s1"}},{"sk":{"S":"s2"}},{"sk":{"S":"s3"}}],)"
            R"("ConsumedCapacity":{"TableName":"ixt","CapacityUnits":0.5,"Table":)"
            R"({"CapacityUnits":0.0},"LocalSecondaryIndexes":{"lsk":{"CapacityUnits":0.5}}}})");
}

}  // namespace
}  // namespace dynamo::server
