// HTTP compression (server/http/compression.h): the Accept-Encoding choice,
// request-body decoding with its limits, and both through the HTTP layer.
#include "server/http/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/api.h"
#include "server/http/http_server.h"
#include "storage/storage.h"

namespace dynamo::server {
namespace {

constexpr ContentCoding kNone = ContentCoding::kIdentity;
constexpr ContentCoding kGzip = ContentCoding::kGzip;
constexpr ContentCoding kDeflate = ContentCoding::kDeflate;

// Every Accept-Encoding case ScyllaDB's test_compressed_response.py records
// against DynamoDB, plus a few of ours.
TEST(CompressionTest, ChoosesTheResponseCodingAsDynamoDbDoes) {
  const struct {
    const char* header;
    ContentCoding expected;
  } cases[] = {
      // Nothing DynamoDB compresses with.
      {"", kNone},
      {"identity", kNone},
      {"br", kNone},
      {"zstd", kNone},
      {"compress", kNone},
      {"x-gzip", kNone},
      {" , ,", kNone},
      // One coding.
      {"gzip", kGzip},
      {"deflate", kDeflate},
      {"GZIP", kGzip},
      {"DeFlAtE", kDeflate},
      // Several without weights: the first listed wins.
      {"gzip, deflate", kGzip},
      {"deflate, gzip", kDeflate},
      {"br, identity, deflate, gzip", kDeflate},
      {"GZIP, identity", kGzip},
      {"dog, gzip ,, cat", kGzip},
      // Weights.
      {"gzip;q=0.8, deflate;q=0.5", kGzip},
      {"br, gzip;q=0, deflate; q = 0.5 , identity;q=0", kDeflate},
      {"deflate;q=0.5, gzip;q=0.2", kDeflate},
      {"gzip;q=0.5, deflate;q=0.5", kGzip},
      {"gzip ;q=0", kNone},
      {"gzip;Q=0", kNone},
      {"identity;q=0", kNone},
      {"gzip;q=0, gzip;q=1, gzip;q=0", kGzip},
      {"br,identity;q=0.5,gzip;q=0.0001", kGzip},
      // identity is ignored, whatever its weight.
      {"gzip;q=0.5,identity;q=0.8", kGzip},
      {"*;q=0.5,identity", kGzip},
      // "*": every coding not named, gzip first; a named coding wins a tie.
      {"*", kGzip},
      {"*, deflate;q=0.5", kGzip},
      {"*, deflate", kDeflate},
      {"*, identity", kGzip},
      {"*, gzip;q=0.5", kDeflate},
      {"gzip;q=0, *", kDeflate},
      {"gzip;q=0, deflate;q=0, *", kNone},
      {"*;q=0", kNone},
      {"br;q=0.8,identity;q=0.5,*;q=0", kNone},
      // Malformed: never compressed, as DynamoDB does.
      {"\"gzip\"", kNone},
      {"gzip br", kNone},
      {"gzip:q=1", kNone},
      {"gzip;nq=1;q=0 ", kNone},
      // Lenient weights: above 1 is 1, below 0 is 0, the first q counts,
      // a weight that is not a number is ignored.
      {"deflate;q=0.5, gzip;q=31", kGzip},
      {"gzip;q=31,deflate;q=51", kGzip},
      {"deflate;q=0.5, gzip;q=1;q=0.2", kGzip},
      {"deflate;q=0.5,gzip;q=0.", kDeflate},
      {"deflate;q=0.5,gzip;q=0.x", kGzip},
      {"deflate;q=0.5,gzip;q=0.   x", kGzip},
      {"deflate;q=-0.5,gzip;q=0.2", kGzip},
      {"gzip;q=", kGzip},
      {"gzip;q=.5,deflate;q=0.6", kDeflate},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ContentCodingName(ChooseResponseCoding(c.header)), ContentCodingName(c.expected))
        << "Accept-Encoding: " << c.header;
  }
}

// zlib's deflate with a window of windowBits (31: gzip, 15: zlib).
std::string Deflate(std::string_view data, int window_bits, int level = Z_BEST_SPEED) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
std::string Gzip(std::string_view data, int level = Z_BEST_SPEED) {
  return Deflate(data, 31, level);
}
std::string Zlib(std::string_view data) { return Deflate(data, 15); }

constexpr size_t k16Mb = 16 * 1024 * 1024;

// "OK: <decoded>" or "<error short name>: <message>".
std::string Decode(std::string_view coding, std::string_view body, size_t limit) {
  core::Result<std::string> r = DecodeRequestBody(coding, body, limit);
  if (r.ok()) return "OK: " + *r;
  return std::string(core::WireInfo(r.error().code).name) + ": " + r.error().message;
}

TEST(CompressionTest, DecodesRequestBodiesAsDynamoDbDoes) {
  const std::string json = R"({"TableName":"tab","Item":{"pk":{"S":"a"}}})";
  const std::string gz = Gzip(json);
  const std::string z = Zlib(json);
  std::string corrupt = gz;
  corrupt[corrupt.size() - 8] ^= 1;  // the CRC-32 in gzip's trailer
  const std::string kBadGzip = "InternalServerError: The request body is not valid gzip data: ";
  const std::string kBadZlib =
      "InternalServerError: The request body is not valid deflate (zlib) data: ";
  const std::string kUnsupported =
      "InternalServerError: Unsupported Content-Encoding; gzip and deflate are supported";
  const struct {
    std::string name;
    std::string coding;
    std::string body;
    std::string expected;
  } cases[] = {
      {"gzip", "gzip", gz, "OK: " + json},
      {"coding names ignore case", "GZip", gz, "OK: " + json},
      {"gzip members back to back", "gzip", Gzip(json.substr(0, 10)) + Gzip(json.substr(10)),
       "OK: " + json},
      {"deflate is the zlib format", "deflate", z, "OK: " + json},
      {"identity", "identity", json, "OK: " + json},
      {"an empty header", "", json, "OK: " + json},
      {"stacked codings, applied in the order listed", "deflate, gzip", Gzip(z), "OK: " + json},
      {"identity among codings", "identity,gzip", gz, "OK: " + json},
      {"truncated by one byte", "gzip", gz.substr(0, gz.size() - 1), kBadGzip + "truncated"},
      {"only a gzip header", "gzip", gz.substr(0, 10), kBadGzip + "truncated"},
      {"empty gzip", "gzip", "", kBadGzip + "empty"},
      {"empty deflate", "deflate", "", kBadZlib + "empty"},
      {"a plain body labelled gzip", "gzip", json, kBadGzip + "incorrect header check"},
      {"a plain body labelled deflate", "deflate", json, kBadZlib + "incorrect header check"},
      {"zlib labelled gzip", "gzip", z, kBadGzip + "incorrect header check"},
      {"gzip labelled deflate", "deflate", gz, kBadZlib + "incorrect header check"},
      {"a wrong checksum", "gzip", corrupt, kBadGzip + "incorrect data check"},
      // Our choice: DynamoDB ignores junk after gzip; we refuse it.
      {"junk after the gzip data", "gzip", gz + "junk", kBadGzip + "incorrect header check"},
      {"a byte after the gzip data", "gzip", gz + "\n", kBadGzip + "truncated"},
      // DynamoDB refuses two zlib streams back to back.
      {"two zlib streams", "deflate", Zlib(json.substr(0, 10)) + Zlib(json.substr(10)),
       kBadZlib + "bytes after its end"},
      {"an unknown coding", "garbage", json, kUnsupported},
      {"x-gzip is not gzip", "x-gzip", gz, kUnsupported},
      {"an unknown coding among known ones", "gzip, br", gz, kUnsupported},
      {"an unknown coding with an empty body", "garbage", "", kUnsupported},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Decode(c.coding, c.body, k16Mb), c.expected) << c.name;
  }
}

// The inflated size has the wire's 16 MB limit, both sides of it, and a
// decompression bomb stops there with the wire's message.
TEST(CompressionTest, InflatedBodiesHaveTheRequestSizeLimit) {
  const std::string k1000(1000, 'x');
  const struct {
    std::string name;
    std::string coding;
    std::string body;
    size_t limit;
    std::string expected;
  } cases[] = {
      {"gzip at the limit", "gzip", Gzip(k1000), 1000, "OK: " + k1000},
      {"deflate at the limit", "deflate", Zlib(k1000), 1000, "OK: " + k1000},
      {"gzip one byte over", "gzip", Gzip(k1000 + "x"), 1000,
       "RequestEntityTooLargeException: Request payload size exceeds the limit of 1000 bytes"},
      {"deflate one byte over", "deflate", Zlib(k1000 + "x"), 1000,
       "RequestEntityTooLargeException: Request payload size exceeds the limit of 1000 bytes"},
      {"members each under, together over", "gzip", Gzip(k1000.substr(500)) + Gzip(k1000 + "x"),
       1500,
       "RequestEntityTooLargeException: Request payload size exceeds the limit of 1500 bytes"},
      {"stacked codings over", "gzip, gzip", Gzip(Gzip(k1000 + "x")), 1000,
       "RequestEntityTooLargeException: Request payload size exceeds the limit of 1000 bytes"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Decode(c.coding, c.body, c.limit), c.expected) << c.name;
  }
  const std::string exactly(k16Mb, ' ');
  const std::string at_limit = Gzip(exactly);
  EXPECT_LT(at_limit.size(), 100u * 1024);
  core::Result<std::string> ok = DecodeRequestBody("gzip", at_limit, k16Mb);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), k16Mb);
  const std::string bomb = Gzip(exactly + " ");
  EXPECT_EQ(Decode("gzip", bomb, k16Mb),
            "RequestEntityTooLargeException: Request payload size exceeds the limit of 16777216 "
            "bytes");
}

TEST(CompressionTest, CompressedBodiesDecodeBack) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "{\"n\":" + std::to_string(i * 7919 % 1000) + "},";
  const std::string gz = CompressBody(body, kGzip);
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_LT(gz.size(), body.size() / 2);
  EXPECT_EQ(Decode("gzip", gz, k16Mb), "OK: " + body);
  const std::string z = CompressBody(body, kDeflate);
  ASSERT_FALSE(z.empty());
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x78);  // zlib's header, not raw deflate
  EXPECT_EQ(Decode("deflate", z, k16Mb), "OK: " + body);
  EXPECT_EQ(Decode("gzip", CompressBody("", kGzip), k16Mb), "OK: ");
  EXPECT_EQ(CompressBody(body, kNone), "");
}

// ---- Through the HTTP layer (RespondToRawRequest, as on a connection) ----

namespace http = boost::beast::http;

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc";

class CompressionHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions o;
    o.in_memory = true;
    storage_ = std::move(storage::Storage::Open(o)).value();
    api_ = std::make_unique<Api>(storage_.get(), ApiOptions{});
    ASSERT_EQ(Send("CreateTable", R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})")
                  .result_int(),
              200);
  }

  // One request with these extra header lines ("Name: value\r\n" each).
  http::response<http::string_body> Send(const std::string& op, const std::string& body,
                                         const std::string& headers = "",
                                         const HttpOptions& options = {}) {
    const std::string raw =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
        "X-Amz-Target: DynamoDB_20120810." +
        op + "\r\nX-Amz-Date: 20240101T000000Z\r\nAuthorization: " + kAuth + "\r\n" + headers +
        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string answer = RespondToRawRequest(api_.get(), raw, options);
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 * 1024 * 1024);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(answer), ec);
    EXPECT_FALSE(ec) << ec.message() << "\n" << answer.substr(0, 300);
    EXPECT_TRUE(parser.is_done()) << answer.substr(0, 300);
    return parser.release();
  }

  static std::string Crc32Of(std::string_view bytes) {
    return std::to_string(
        crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
  }

  // Puts an item whose GetItem answer (projected on v) has exactly `size` bytes.
  std::string PutItemAnsweringWith(size_t size) {
    const std::string frame = R"({"Item":{"v":{"S":""}}})";
    const std::string v(size - frame.size(), 'v');
    EXPECT_EQ(
        Send("PutItem", R"({"TableName":"tab","Item":{"pk":{"S":"k"},"v":{"S":")" + v + R"("}}})")
            .result_int(),
        200);
    return R"({"TableName":"tab","Key":{"pk":{"S":"k"}},"ProjectionExpression":"v"})";
  }

  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Api> api_;
};

// What SDKs with request compression send: the request is executed.
TEST_F(CompressionHttpTest, CompressedRequestsAreExecuted) {
  const std::string put = R"({"TableName":"tab","Item":{"pk":{"S":"a"},"n":{"N":"1"}}})";
  auto res = Send("PutItem", Gzip(put), "Content-Encoding: gzip\r\n");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  const std::string get = R"({"TableName":"tab","Key":{"pk":{"S":"a"}}})";
  res = Send("GetItem", Zlib(get), "Content-Encoding: deflate\r\n");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"Item":{"n":{"N":"1"},"pk":{"S":"a"}}})");
}

// Undecodable bodies get DynamoDB's 500, the oversized one a 413; none runs.
TEST_F(CompressionHttpTest, UndecodableBodiesAreRefusedUnexecuted) {
  const std::string put = R"({"TableName":"tab","Item":{"pk":{"S":"b"}}})";
  const struct {
    std::string coding;
    std::string body;
    int status;
    std::string answer;
  } cases[] = {
      {"garbage", put, 500,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
       R"("message":"Unsupported Content-Encoding; gzip and deflate are supported"})"},
      {"gzip", put, 500,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
       R"("message":"The request body is not valid gzip data: incorrect header check"})"},
      {"gzip", "", 500,
       R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
       R"("message":"The request body is not valid gzip data: empty"})"},
      {"gzip", Gzip(std::string(put.size() + 1, ' ')), 413,
       R"({"__type":"com.amazon.coral.service#RequestEntityTooLargeException",)"
       R"("message":"Request payload size exceeds the limit of )" +
           std::to_string(put.size()) + R"( bytes"})"},
  };
  HttpOptions options;
  options.body_limit = put.size();
  for (const auto& c : cases) {
    auto res = Send("PutItem", c.body, "Content-Encoding: " + c.coding + "\r\n", options);
    EXPECT_EQ(res.result_int(), c.status) << c.coding;
    EXPECT_EQ(res.body(), c.answer);
    EXPECT_EQ(std::string(res["x-amz-crc32"]), Crc32Of(res.body()));
  }
  EXPECT_EQ(Send("GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"b"}}})").body(), "{}");
}

// An authentication error is answered before the body is looked at.
TEST_F(CompressionHttpTest, AuthenticationErrorsComeBeforeDecodingErrors) {
  const std::string raw =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
      "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Encoding: gzip\r\n"
      "Content-Length: 2\r\n\r\n{}";
  const std::string answer = RespondToRawRequest(api_.get(), raw);
  EXPECT_EQ(answer.substr(0, 24), "HTTP/1.1 400 Bad Request") << answer;
  EXPECT_NE(answer.find("MissingAuthenticationTokenException"), std::string::npos) << answer;
}

// Responses from 4096 bytes are compressed for a client that asks, with the
// CRC-32 of the compressed bytes; smaller ones, and any to a browser (an
// Origin), go as they are, without Content-Encoding.
TEST_F(CompressionHttpTest, LargeResponsesAreCompressedWhenAccepted) {
  const struct {
    size_t size;
    std::string headers;
    std::string coding;  // "": not compressed
  } cases[] = {
      {4095, "Accept-Encoding: gzip\r\n", ""},
      {4096, "Accept-Encoding: gzip\r\n", "gzip"},
      {4096, "Accept-Encoding: deflate\r\n", "deflate"},
      {4096, "Accept-Encoding: gzip, deflate\r\n", "gzip"},
      {4096, "Accept-Encoding: identity\r\n", ""},
      {4096, "", ""},
      {4096, "Accept-Encoding: br;q=1, gzip;q=0\r\n", ""},
      {4096, "Accept-Encoding: gzip\r\nOrigin: http://app.local\r\n", ""},
      // Repeated, the last one counts.
      {4096, "Accept-Encoding: gzip\r\nAccept-Encoding: identity\r\n", ""},
      {4096, "Accept-Encoding: identity\r\nAccept-Encoding: deflate\r\n", "deflate"},
      {100000, "Accept-Encoding: gzip\r\n", "gzip"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.size) + " " + c.headers);
    const std::string get = PutItemAnsweringWith(c.size);
    auto res = Send("GetItem", get, c.headers);
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_EQ(std::string(res["x-amz-crc32"]), Crc32Of(res.body()));
    EXPECT_EQ(std::string(res[http::field::content_length]), std::to_string(res.body().size()));
    EXPECT_EQ(std::string(res[http::field::content_encoding]), c.coding);
    std::string json = res.body();
    if (!c.coding.empty()) {
      EXPECT_LT(res.body().size(), c.size / 10);
      core::Result<std::string> inflated = DecodeRequestBody(c.coding, res.body(), k16Mb);
      ASSERT_TRUE(inflated.ok());
      json = *inflated;
    }
    EXPECT_EQ(json.size(), c.size);
    EXPECT_EQ(json.substr(0, 20), R"({"Item":{"v":{"S":"v)");
  }
  // The threshold is an option; 0 turns compression off.
  HttpOptions options;
  options.response_compression_threshold = 0;
  auto res = Send("GetItem", PutItemAnsweringWith(5000), "Accept-Encoding: gzip\r\n", options);
  EXPECT_EQ(std::string(res[http::field::content_encoding]), "");
  options.response_compression_threshold = 20;
  res = Send("ListTables", "{}", "Accept-Encoding: gzip\r\n", options);
  EXPECT_EQ(std::string(res[http::field::content_encoding]), "gzip");
  EXPECT_EQ(Decode("gzip", res.body(), k16Mb), R"(OK: {"TableNames":["tab"]})");
}

}  // namespace
}  // namespace dynamo::server
