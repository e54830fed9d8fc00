// Fault and latency injection: the --fault syntax, the control API's rules,
// which requests a rule hits, and what an injected error looks like.
#include "server/api/faults.h"

#include <gtest/gtest.h>

#include "server/api/json_parse.h"

namespace dynamo::server {
namespace {

std::string Outcome(const core::Result<FaultRule>& r) { return r.ok() ? "OK" : r.error().message; }

TEST(FaultSpecTest, ParsesTheFlagSyntax) {
  auto r = ParseFaultSpec(
      "error=ThrottlingException,probability=0.25,count=3,operations=PutItem+GetItem,"
      "tables=Orders,latency-ms=20-50");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->error, "ThrottlingException");
  EXPECT_EQ(r->probability, 0.25);
  EXPECT_EQ(r->count, 3);
  EXPECT_EQ(r->operations, (std::vector<std::string>{"PutItem", "GetItem"}));
  EXPECT_EQ(r->tables, (std::vector<std::string>{"Orders"}));
  EXPECT_EQ(r->latency_ms, 20);
  EXPECT_EQ(r->latency_max_ms, 50);

  auto latency = ParseFaultSpec("latency-ms=15");
  ASSERT_TRUE(latency.ok());
  EXPECT_EQ(latency->error, "");
  EXPECT_EQ(latency->probability, 1);
  EXPECT_FALSE(latency->count.has_value());
  EXPECT_EQ(latency->latency_ms, 15);
  EXPECT_EQ(latency->latency_max_ms, 0);
}

TEST(FaultSpecTest, RefusesBadSpecsWithAMessage) {
  struct Case {
    const char* spec;
    const char* expected;
  };
  const Case cases[] = {
      {"error=ThrottlingException", "OK"},
      {"error=ServiceUnavailable,probability=1", "OK"},
      {"", "a fault rule needs an error or a latency"},
      {"probability=0.5", "a fault rule needs an error or a latency"},
      {"error=Throttled",
       "unknown fault error 'Throttled' (use one of ProvisionedThroughputExceededException, "
       "ThrottlingException, RequestLimitExceeded, InternalServerError, ServiceUnavailable, "
       "TransactionConflictException)"},
      {"error", "fault setting 'error' is not key=value"},
      {"colour=red",
       "unknown fault setting 'colour' (use error, probability, count, operations, "
       "tables, latency-ms)"},
      {"error=InternalServerError,probability=1.5",
       "fault probability must be a number from 0 to 1, not '1.5'"},
      {"error=InternalServerError,probability=x",
       "fault probability must be a number from 0 to 1, not 'x'"},
      {"error=InternalServerError,count=-1",
       "fault count must be a number from 0 to 1000000000000, not '-1'"},
      {"error=InternalServerError,count=1.5", "fault count must be a whole number"},
      {"latency-ms=50-20", "fault latency maximum is below its minimum"},
      {"latency-ms=700000", "fault latency-ms must be a number from 0 to 600000, not '700000'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Outcome(ParseFaultSpec(c.spec)), c.expected) << c.spec;
  }
}

TEST(FaultRuleTest, ReadsTheControlApiForm) {
  struct Case {
    const char* json;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"Error":"ThrottlingException","Probability":0.5,"Count":2,"Operations":["PutItem"],
           "Tables":["T"],"LatencyMs":1,"LatencyMaxMs":2})",
       "OK"},
      {R"({"LatencyMs":5})", "OK"},
      {R"({})", "a fault rule needs an error or a latency"},
      {R"({"Error":7})", "Error must be a string"},
      {R"({"Error":"InternalServerError","Probability":2})",
       "Probability must be a number from 0 to 1"},
      {R"({"Error":"InternalServerError","Count":0.5})", "Count must be a whole number"},
      {R"({"Error":"InternalServerError","Operations":"PutItem"})", "Operations must be a list"},
      {R"({"Error":"InternalServerError","Tables":[""]})", "Tables must hold non-empty strings"},
      {R"({"Error":"InternalServerError","Colour":1})", "unknown fault rule member Colour"},
      {R"([])", "a fault rule must be an object"},
  };
  for (const Case& c : cases) {
    JsonDocument doc;
    ASSERT_TRUE(ParseRequestBody(c.json, 16, &doc)) << c.json;
    EXPECT_EQ(Outcome(ReadFaultRule(doc)), c.expected) << c.json;
  }
}

// Decide for one request, with tables {"Orders"}.
FaultDecision Decide(FaultInjector& f, std::string_view op,
                     std::vector<std::string> tables = {"Orders"}) {
  return f.Decide(
      op, [&] { return tables; },
      [](std::string_view t) {
        return "arn:aws:dynamodb:us-east-1:000000000000:table/" + std::string(t);
      });
}

FaultRule Rule(const char* spec) { return std::move(ParseFaultSpec(spec)).value(); }

TEST(FaultInjectorTest, InactiveWithoutRules) {
  FaultInjector f;
  EXPECT_FALSE(f.active());
  f.Add(Rule("error=InternalServerError"));
  EXPECT_TRUE(f.active());
  f.Clear();
  EXPECT_FALSE(f.active());
  EXPECT_EQ(Decide(f, "GetItem").status, 0);
}

TEST(FaultInjectorTest, InjectedErrorsLookLikeDynamoDBs) {
  struct Case {
    const char* error;
    const char* op;
    int status;
    const char* body;
  };
  const Case cases[] = {
      {"ProvisionedThroughputExceededException", "PutItem", 400,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",)"
       R"("message":"The level of configured provisioned throughput for the table was exceeded. )"
       R"(Consider increasing your provisioning level with the UpdateTable API.",)"
       R"("ThrottlingReasons":[{"reason":"TableWriteProvisionedThroughputExceeded",)"
       R"("resource":"arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}]})"},
      {"ThrottlingException", "Query", 400,
       R"({"__type":"com.amazon.coral.availability#ThrottlingException",)"
       R"("message":"Throughput exceeds the current capacity of your table or index. DynamoDB is )"
       R"(automatically scaling your table or index so please try again shortly. If exceptions )"
       R"(persist, check if you have a hot key: )"
       R"(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",)"
       R"("throttlingReasons":[{"reason":"TableReadKeyRangeThroughputExceeded",)"
       R"("resource":"arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}]})"},
      {"RequestLimitExceeded", "GetItem", 400,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",)"
       R"("message":"Throughput exceeds the current throughput limit for your account. Please )"
       R"(contact AWS Support at https://aws.amazon.com/support request a limit increase",)"
       R"("ThrottlingReasons":[{"reason":"TableReadAccountLimitExceeded",)"
       R"("resource":"arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}]})"},
      {"InternalServerError", "PutItem", 500,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
       R"("message":"Internal server error"})"},
      {"ServiceUnavailable", "PutItem", 503,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable",)"
       R"("message":"The request has failed due to a temporary failure of the server."})"},
      {"TransactionConflictException", "UpdateItem", 400,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionConflictException",)"
       R"("message":"Transaction is ongoing for the item"})"},
  };
  for (const Case& c : cases) {
    FaultInjector f;
    f.Add(Rule((std::string("error=") + c.error).c_str()));
    FaultDecision d = Decide(f, c.op);
    EXPECT_EQ(d.status, c.status) << c.error;
    EXPECT_EQ(d.body, c.body) << c.error;
    EXPECT_EQ(d.delay_ms, 0) << c.error;
  }
  // Without a table (ListTables), no throttling reasons.
  FaultInjector f;
  f.Add(Rule("error=ThrottlingException"));
  EXPECT_EQ(Decide(f, "ListTables", {}).body.find("throttlingReasons"), std::string::npos);
}

TEST(FaultInjectorTest, ACountFailsTheNextMatchingRequestsOnly) {
  FaultInjector f;
  f.Add(Rule("error=ThrottlingException,count=2,operations=PutItem+UpdateItem,tables=Orders"));
  EXPECT_EQ(Decide(f, "GetItem").status, 0);                     // another operation
  EXPECT_EQ(Decide(f, "PutItem", {"Other"}).status, 0);          // another table
  EXPECT_EQ(Decide(f, "PutItem", {"A", "Orders"}).status, 400);  // any table named
  EXPECT_EQ(Decide(f, "UpdateItem").status, 400);
  EXPECT_EQ(Decide(f, "PutItem").status, 0);  // spent
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  f.Describe(w);
  EXPECT_EQ(std::string(buf.GetString()),
            R"({"Seed":0,"Rules":[{"Id":1,"Error":"ThrottlingException","Probability":1.0,)"
            R"("Count":2,"Remaining":0,"Operations":["PutItem","UpdateItem"],"Tables":["Orders"],)"
            R"("Matched":2,"Injected":2}]})");
}

TEST(FaultInjectorTest, ProbabilityIsReproducibleFromTheSeed) {
  auto run = [](uint64_t seed) {
    FaultInjector f;
    f.Set({Rule("error=InternalServerError,probability=0.3")}, seed);
    std::string pattern;
    for (int i = 0; i < 2000; ++i) pattern += Decide(f, "GetItem").status ? 'x' : '.';
    return pattern;
  };
  const std::string a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_NE(a, run(8));
  const auto failed = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(failed, 500);  // 600 expected
  EXPECT_LT(failed, 700);
}

TEST(FaultInjectorTest, ACountIsNotSpentWhenAnEarlierRuleChoseTheError) {
  FaultInjector f;
  f.Set({Rule("error=ThrottlingException,count=1"), Rule("error=InternalServerError,count=1")},
        std::nullopt);
  EXPECT_EQ(Decide(f, "GetItem").status, 400);
  EXPECT_EQ(Decide(f, "GetItem").status, 500);
  EXPECT_EQ(Decide(f, "GetItem").status, 0);
}

TEST(FaultInjectorTest, SeedsDifferingInTheirHighBitsDrawDifferently) {
  auto run = [](uint64_t seed) {
    FaultInjector f;
    f.Set({Rule("error=InternalServerError,probability=0.5")}, seed);
    std::string pattern;
    for (int i = 0; i < 64; ++i) pattern += Decide(f, "GetItem").status ? 'x' : '.';
    return pattern;
  };
  EXPECT_NE(run(1), run(1 + (uint64_t{1} << 40)));
}

TEST(FaultInjectorTest, LatencyAddsUpAndTheFirstErrorWins) {
  FaultInjector f;
  f.Set({Rule("latency-ms=10"), Rule("latency-ms=5-6,error=ServiceUnavailable"),
         Rule("error=InternalServerError")},
        1);
  FaultDecision d = Decide(f, "GetItem");
  EXPECT_EQ(d.status, 503);
  EXPECT_GE(d.delay_ms, 15);
  EXPECT_LE(d.delay_ms, 16);
}

}  // namespace
}  // namespace dynamo::server
