// The C interface of libdynamo-emu (include/dynamo/dynamo_emu.h), linked as
// a consumer links it: the shared library and the public headers only.
#include "dynamo/dynamo_emu.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// The status and body of a dispatch.
struct Answer {
  int status;
  std::string body;
};

Answer Dispatch(dynamo_emu* emu, const char* operation, const std::string& body,
                const char* access_key = nullptr) {
  char* out = nullptr;
  size_t n = 0;
  int status =
      dynamo_emu_dispatch(emu, operation, body.data(), body.size(), access_key, nullptr, &out, &n);
  Answer a{status, out ? std::string(out, n) : ""};
  dynamo_emu_free(out);
  return a;
}

// GET / over a plain socket: DynamoDB's health answer.
std::string HealthOverHttp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "connect failed";
  }
  const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)!write(fd, request, sizeof request - 1);
  std::string response;
  char buf[4096];
  for (ssize_t got; (got = read(fd, buf, sizeof buf)) > 0;) response.append(buf, size_t(got));
  close(fd);
  return response;
}

const char kCreate[] = R"({"TableName":"things","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]})";

TEST(CApiTest, VersionsAreReported) {
  EXPECT_EQ(dynamo_emu_abi_version(), DYNAMO_EMU_ABI_VERSION);
  EXPECT_STRNE(dynamo_emu_version(), "");
}

TEST(CApiTest, StartsUsesAndStopsTwoEmulatorsSideBySide) {
  dynamo_emu* a = dynamo_emu_start(nullptr);
  ASSERT_NE(a, nullptr) << dynamo_emu_last_error();
  dynamo_emu* b = dynamo_emu_start(R"({"threads": 1})");
  ASSERT_NE(b, nullptr) << dynamo_emu_last_error();
  EXPECT_NE(dynamo_emu_port(a), dynamo_emu_port(b));
  EXPECT_EQ(std::string(dynamo_emu_endpoint(a)),
            "http://127.0.0.1:" + std::to_string(dynamo_emu_port(a)));
  EXPECT_NE(HealthOverHttp(dynamo_emu_port(a)).find("healthy: localhost"), std::string::npos);

  EXPECT_EQ(Dispatch(a, "CreateTable", kCreate).status, 200);
  EXPECT_EQ(Dispatch(a, "PutItem", R"({"TableName":"things","Item":{"id":{"S":"1"}}})").status,
            200);
  // Separate stores, and separate namespaces within one.
  EXPECT_EQ(Dispatch(a, "ListTables", "{}").body, R"({"TableNames":["things"]})");
  EXPECT_EQ(Dispatch(b, "ListTables", "{}").body, R"({"TableNames":[]})");
  EXPECT_EQ(Dispatch(a, "ListTables", "{}", "OTHERKEY").body, R"({"TableNames":[]})");
  // DynamoDB's errors, as over HTTP.
  Answer missing = Dispatch(b, "GetItem", R"({"TableName":"things","Key":{"id":{"S":"1"}}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
            R"("message":"Requested resource not found"})");
  // The control API.
  char* out = nullptr;
  size_t n = 0;
  EXPECT_EQ(dynamo_emu_control(
                a, "POST", "/_emu/reset", R"({"AccessKeyId":"local","Region":"us-east-1"})",
                std::strlen(R"({"AccessKeyId":"local","Region":"us-east-1"})"), &out, &n),
            200);
  EXPECT_EQ(std::string(out, n),
            R"({"Namespaces":["local_us-east-1"],"DeletedTables":["things"]})");
  dynamo_emu_free(out);
  dynamo_emu_stop(a);
  dynamo_emu_stop(b);
}

TEST(CApiTest, DispatchFromManyThreadsAtOnce) {
  dynamo_emu* emu = dynamo_emu_start(R"({"listen": false})");
  ASSERT_NE(emu, nullptr) << dynamo_emu_last_error();
  EXPECT_EQ(dynamo_emu_port(emu), 0);
  EXPECT_STREQ(dynamo_emu_endpoint(emu), "");
  ASSERT_EQ(Dispatch(emu, "CreateTable", kCreate).status, 200);
  ASSERT_EQ(
      Dispatch(emu, "PutItem", R"({"TableName":"things","Item":{"id":{"S":"n"},"v":{"N":"0"}}})")
          .status,
      200);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([emu] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(
            Dispatch(
                emu, "UpdateItem",
                R"({"TableName":"things","Key":{"id":{"S":"n"}},"UpdateExpression":"ADD v :one",)"
                R"("ExpressionAttributeValues":{":one":{"N":"1"}}})")
                .status,
            200);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Dispatch(emu, "GetItem", R"({"TableName":"things","Key":{"id":{"S":"n"}}})").body,
            R"({"Item":{"id":{"S":"n"},"v":{"N":"400"}}})");
  dynamo_emu_stop(emu);
}

TEST(CApiTest, BadOptionsAndArgumentsSayWhatIsWrong) {
  struct Case {
    const char* options;
    const char* error;
  };
  const Case cases[] = {
      {"[]", "options must be a JSON object"},
      {"{", "options are not JSON: Missing a name for object member."},
      {R"({"prot": 1})", "unknown option 'prot'"},
      {R"({"port": 70000})", "option 'port' must be a whole number from 0 to 65535"},
      {R"({"port": "1"})", "option 'port' must be a whole number from 0 to 65535"},
      {R"({"in_memory": 1})", "option 'in_memory' must be true or false"},
      {R"({"host": 1})", "option 'host' must be a string"},
      {R"({"cors_origins": "*"})", "option 'cors_origins' must be a list of strings"},
      {R"({"upkeep_interval_seconds": -1})",
       "option 'upkeep_interval_seconds' must be a number of seconds from 0 to 31536000"},
      {R"({"faults": ["error=Nope"]})",
       "option 'faults' unknown fault error 'Nope' (use one of "
       "ProvisionedThroughputExceededException, "
       "ThrottlingException, RequestLimitExceeded, InternalServerError, ServiceUnavailable, "
       "TransactionConflictException)"},
      {R"({"auth_credentials": "/nonexistent/credentials"})",
       "cannot read credentials file '/nonexistent/credentials'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(dynamo_emu_start(c.options), nullptr) << c.options;
    EXPECT_EQ(std::string(dynamo_emu_last_error()).substr(0, std::strlen(c.error)), c.error)
        << c.options;
  }
  // A port taken by another emulator.
  dynamo_emu* first = dynamo_emu_start(nullptr);
  ASSERT_NE(first, nullptr);
  const std::string taken = R"({"port": )" + std::to_string(dynamo_emu_port(first)) + "}";
  EXPECT_EQ(dynamo_emu_start(taken.c_str()), nullptr);
  EXPECT_NE(std::string(dynamo_emu_last_error()).find("cannot listen on 127.0.0.1:"),
            std::string::npos)
      << dynamo_emu_last_error();
  // NULL arguments.
  char* out = reinterpret_cast<char*>(1);
  EXPECT_EQ(dynamo_emu_dispatch(first, nullptr, "{}", 2, nullptr, nullptr, &out, nullptr), -1);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(std::string(dynamo_emu_last_error()),
            "dynamo_emu_dispatch: emu, operation and response are required (and body with a "
            "length)");
  EXPECT_EQ(dynamo_emu_dispatch(nullptr, "ListTables", "{}", 2, nullptr, nullptr, &out, nullptr),
            -1);
  // A success clears the error.
  EXPECT_EQ(dynamo_emu_dispatch(first, "ListTables", "{}", 2, nullptr, nullptr, &out, nullptr),
            200);
  EXPECT_STREQ(dynamo_emu_last_error(), "");
  dynamo_emu_free(out);
  dynamo_emu_stop(first);
  dynamo_emu_stop(nullptr);
}

}  // namespace
