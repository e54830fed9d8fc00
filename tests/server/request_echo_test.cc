#include "server/api/request_echo.h"

#include <gtest/gtest.h>

namespace dynamo::server {
namespace {

// "AttributeValue(" + the fields, every one null but those given.
std::string Value(std::string_view s, std::string_view n = "null", std::string_view b = "null",
                  std::string_view sets = "sS=null, nS=null, bS=null", std::string_view m = "null",
                  std::string_view l = "null", std::string_view null = "null",
                  std::string_view boolean = "null") {
  return "AttributeValue(s=" + std::string(s) + ", n=" + std::string(n) + ", b=" + std::string(b) +
         ", iNT=null, dECIMAL=null, dOUBLE=null, " + std::string(sets) +
         ", iNTSET=null, dECIMALSET=null, dOUBLESET=null, m=" + std::string(m) +
         ", l=" + std::string(l) + ", nULL=" + std::string(null) +
         ", bOOL=" + std::string(boolean) + ")";
}

std::string Echo(const char* json) {
  JsonDocument doc;
  doc.Parse(json);
  return EchoWriteRequest(doc);
}

TEST(RequestEchoTest, WriteRequestsRenderAsJavaToString) {
  const std::string put = "WriteRequest(putRequest=PutRequest(item={";
  const std::string end = "}, workloadProfileName=null), deleteRequest=null)";
  const struct {
    const char* json;
    std::string expected;
  } cases[] = {
      {R"({"PutRequest":{"Item":{"pk":{"S":"a"}}}})", put + "pk=" + Value("a") + end},
      {R"({"PutRequest":{"Item":{"n":{"N":"1.5"},"t":{"BOOL":true},"z":{"NULL":true}}}})",
       put + "n=" + Value("null", "1.5") + ", t=" +
           Value("null", "null", "null", "sS=null, nS=null, bS=null", "null", "null", "null",
                 "true") +
           ", z=" +
           Value("null", "null", "null", "sS=null, nS=null, bS=null", "null", "null", "true") +
           end},
      // Binary values are ByteBuffers: their length, decoded from base64.
      {R"({"PutRequest":{"Item":{"b":{"B":"AAEC"},"bs":{"BS":["AA==","AAE="]}}}})",
       put + "b=" + Value("null", "null", "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]") + ", bs=" +
           Value("null", "null", "null",
                 "sS=null, nS=null, bS=[java.nio.HeapByteBuffer[pos=0 lim=1 cap=1], "
                 "java.nio.HeapByteBuffer[pos=0 lim=2 cap=2]]") +
           end},
      {R"({"PutRequest":{"Item":{"ss":{"SS":["x","y"]},"ns":{"NS":["1","2"]}}}})",
       put + "ss=" + Value("null", "null", "null", "sS=[x, y], nS=null, bS=null") +
           ", ns=" + Value("null", "null", "null", "sS=null, nS=[1, 2], bS=null") + end},
      {R"({"PutRequest":{"Item":{"m":{"M":{"k":{"S":"v"}}},"l":{"L":[{"N":"1"}]}}}})",
       put + "m=" +
           Value("null", "null", "null", "sS=null, nS=null, bS=null", "{k=" + Value("v") + "}") +
           ", l=" +
           Value("null", "null", "null", "sS=null, nS=null, bS=null", "null",
                 "[" + Value("null", "1") + "]") +
           end},
      {R"({"DeleteRequest":{"Key":{"pk":{"S":"a"}}}})",
       "WriteRequest(putRequest=null, deleteRequest=DeleteRequest(key={pk=" + Value("a") +
           "}, workloadProfileName=null))"},
  };
  for (const auto& c : cases) EXPECT_EQ(Echo(c.json), c.expected) << c.json;
}

// Nesting past the echo's depth limit is cut short, not walked.
TEST(RequestEchoTest, DeepNestingIsCutShort) {
  std::string json = R"({"PutRequest":{"Item":{"a":)";
  for (int i = 0; i < 100; ++i) json += R"({"L":[)";
  json += R"({"S":"x"})";
  for (int i = 0; i < 100; ++i) json += "]}";
  json += "}}}";
  const std::string echo = Echo(json.c_str());
  EXPECT_NE(echo.find("AttributeValue(...)"), std::string::npos);
  EXPECT_EQ(echo.find("s=x"), std::string::npos);
}

}  // namespace
}  // namespace dynamo::server
