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
  ApiResponse reads = Call("BatchExecuteStatement", R"({"Statements":[
      {"Statement":"SELECT v FROM tab WHERE pk = 'a' AND sk = 1"},
      {"Statement":"SELECT * FROM tab WHERE pk = 'none' AND sk = 1"},
      {"Statement":"SELECT * FROM tab WHERE pk = 'a'"}]})");
  EXPECT_EQ(
      reads.body,
      R"({"Responses":[{"TableName":"tab","Item":{"v":{"S":"z"}}},{"TableName":"tab"},)"
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
}

}  // namespace
}  // namespace dynamo::server
