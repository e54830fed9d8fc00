// dynamo::testing::EmulatorTest (include/dynamo/testing.h), used as a
// consumer uses it: one emulator for the suite, a namespace per test.
#include "dynamo/testing.h"

#include <gtest/gtest.h>

#include <string>

namespace {

class FixtureTest : public dynamo::testing::EmulatorTest {
 protected:
  // Every test creates the same table: it must find its namespace empty
  // (ctest runs each test in a process of its own; run the binary to have
  // them share the suite's emulator).
  void CreateAndFill() {
    ASSERT_EQ(Dispatch("ListTables", "{}").body, R"({"TableNames":[]})");
    ASSERT_EQ(Dispatch("CreateTable", R"({"TableName":"orders","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]})")
                  .status,
              200);
    ASSERT_EQ(Dispatch("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"1"}}})").status,
              200);
  }
};

TEST_F(FixtureTest, FirstTestHasAFreshNamespace) { CreateAndFill(); }
TEST_F(FixtureTest, SecondTestHasAFreshNamespaceToo) { CreateAndFill(); }

TEST_F(FixtureTest, AnotherHandleOnTheSuitesEmulatorIsIsolated) {
  CreateAndFill();
  dynamo::testing::EmulatorHandle other(suite_emulator());
  EXPECT_EQ(&other.emulator(), &emulator());
  EXPECT_EQ(other.endpoint(), endpoint());
  EXPECT_NE(other.access_key(), access_key());
  EXPECT_EQ(other.Dispatch("ListTables", "{}").body, R"({"TableNames":[]})");
  EXPECT_EQ(endpoint().rfind("http://127.0.0.1:", 0), 0u) << endpoint();
  EXPECT_EQ(region(), "us-east-1");
  EXPECT_FALSE(secret_key().empty());
}

TEST_F(FixtureTest, ResetEmptiesTheNamespace) {
  CreateAndFill();
  EXPECT_EQ(handle().Reset().status, 200);
  EXPECT_EQ(Dispatch("ListTables", "{}").body, R"({"TableNames":[]})");
}

// A suite with options of its own.
class HeldTransactionsTest : public dynamo::testing::EmulatorTest {
 public:
  static void SetUpTestSuite() {
    dynamo::EmulatorOptions options;
    options.transaction_hold_ms = 1;
    suite_emulator() = dynamo::testing::EmulatorHandle::StartInMemory(options);
  }
};

TEST_F(HeldTransactionsTest, StartsWithTheSuitesOptions) {
  ASSERT_EQ(Dispatch("CreateTable", R"({"TableName":"locks","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]})")
                .status,
            200);
  EXPECT_EQ(Dispatch("TransactWriteItems",
                     R"({"TransactItems":[{"Put":{"TableName":"locks","Item":{"id":{"S":"a"}}}}]})")
                .status,
            200);
}

}  // namespace
