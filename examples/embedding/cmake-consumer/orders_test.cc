// A consumer's test: one emulator for the suite (dynamo::testing), a fresh
// namespace per test, reached in-process and over HTTP with its credentials
// as an SDK would (the AWS SDK for C++: endpointOverride = endpoint()).
#include <arpa/inet.h>
#include <dynamo/testing.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace {

// One DynamoDB request over HTTP, with an Authorization header naming the
// access key (the emulator checks signatures only when asked to).
std::string Post(const std::string& endpoint, const std::string& access_key,
                 const std::string& operation, const std::string& body) {
  const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  const std::string request =
      "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
      "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810." +
      operation +
      "\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" +
      access_key +
      "/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, size_t(n));
  close(fd);
  return response.substr(response.find("\r\n\r\n") + 4);
}

class OrdersTest : public dynamo::testing::EmulatorTest {};

TEST_F(OrdersTest, AnOrderIsPlacedOnceOnly) {
  ASSERT_EQ(Dispatch("CreateTable", R"({"TableName":"orders","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]})")
                .status,
            200);
  const std::string place =
      R"j({"TableName":"orders","Item":{"id":{"S":"o-1"}},"ConditionExpression":"attribute_not_exists(id)"})j";
  EXPECT_EQ(Post(endpoint(), access_key(), "PutItem", place), "{}");
  EXPECT_EQ(Post(endpoint(), access_key(), "PutItem", place),
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
            R"("message":"The conditional request failed"})");
}

TEST_F(OrdersTest, EachTestStartsEmpty) {
  EXPECT_EQ(Dispatch("ListTables", "{}").body, R"({"TableNames":[]})");
  EXPECT_EQ(Post(endpoint(), access_key(), "ListTables", "{}"), R"({"TableNames":[]})");
}

}  // namespace
