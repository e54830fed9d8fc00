// SigV4: signatures against independent vectors, the credentials file, and
// each of DynamoDB's authentication errors with its exact text.
#include "server/http/sigv4.h"

#include <gtest/gtest.h>

#include <ctime>

#include "server/api/api.h"

namespace dynamo::server {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::string_view kKey = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Clock::time_point At(int year, int mon, int day, int hour, int min, int sec) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return Clock::from_time_t(timegm(&tm));
}

// Signatures computed by botocore's SigV4Auth (the first three are also in
// AWS's SigV4 test suite: get-vanilla, get-vanilla-query-order-key,
// post-vanilla), key AKIDEXAMPLE, 20150830T123600Z.
TEST(SigV4Test, SignaturesMatchBotocore) {
  struct Case {
    const char* name;
    std::string_view method, target;
    std::vector<SignedRequest::Header> headers;
    std::string_view body, signed_headers, region, service, expected;
  };
  const std::vector<Case> cases = {
      {"get-vanilla",
       "GET",
       "/",
       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
       "",
       "host;x-amz-date",
       "us-east-1",
       "service",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key",
       "GET",
       "/?Param2=value2&Param1=value1",
       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
       "",
       "host;x-amz-date",
       "us-east-1",
       "service",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"post-vanilla",
       "POST",
       "/",
       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
       "",
       "host;x-amz-date",
       "us-east-1",
       "service",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"dynamodb-list-tables",
       "POST",
       "/",
       {{"Host", "localhost:8000"},
        {"Content-Type", "application/x-amz-json-1.0"},
        {"X-Amz-Target", "DynamoDB_20120810.ListTables"},
        {"X-Amz-Date", "20150830T123600Z"}},
       "{}",
       "content-type;host;x-amz-date;x-amz-target",
       "eu-west-1",
       "dynamodb",
       "e86a8e277a5aca7ea21e82fd718f684fa87304f6a0c46c29a586b89ed26190f9"},
      {"space-in-path",
       "GET",
       "/example%20space/",
       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
       "",
       "host;x-amz-date",
       "us-east-1",
       "service",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"header-spaces-and-query-encoding",
       "GET",
       "/?Param1=value%201&b=%2F",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", "  value1   with  spaces  "},
        {"X-Amz-Date", "20150830T123600Z"}},
       "",
       "host;my-header1;x-amz-date",
       "us-east-1",
       "service",
       "57bb883f31a2c695dc98a113e2443613e0976fb3988e1792a6dc37fcca7c20df"},
  };
  for (const Case& c : cases) {
    SignedRequest request{c.method, c.target, c.headers, c.body};
    EXPECT_EQ(ComputeSignature(request, c.signed_headers, "20150830T123600Z", kSecret, "20150830",
                               c.region, c.service),
              c.expected)
        << c.name;
  }
}

TEST(SigV4Test, CredentialsFileParsing) {
  struct Case {
    const char* text;
    size_t pairs;       // when it parses
    const char* error;  // otherwise
  };
  const Case cases[] = {
      {"[default]\naws_access_key_id = AKID\naws_secret_access_key = s3cr3t\n", 1, nullptr},
      {"# comment\n; another\n[default]\nAWS_ACCESS_KEY_ID=A\naws_secret_access_key=B\n\n"
       "[profile ci]\naws_access_key_id = C\naws_secret_access_key = D\naws_session_token = T\n"
       "region = eu-west-1\n[incomplete]\naws_access_key_id = E\n",
       2, nullptr},
      {"[a]\r\naws_access_key_id = A\r\naws_secret_access_key = B\r\n", 1, nullptr},
      {"aws_access_key_id = A\n", 0, "creds:1: a setting before the first [profile] section"},
      {"[a\naws_access_key_id = A\n", 0, "creds:1: a section header must end with ']'"},
      {"[a]\njust words\n", 0, "creds:2: expected 'name = value'"},
      {"[a]\naws_access_key_id = A\n", 0,
       "creds: no profile has both aws_access_key_id and aws_secret_access_key"},
      {"", 0, "creds: no profile has both aws_access_key_id and aws_secret_access_key"},
  };
  for (const Case& c : cases) {
    auto parsed = Credentials::Parse(c.text, "creds");
    if (c.error) {
      ASSERT_FALSE(parsed.ok()) << c.text;
      EXPECT_EQ(parsed.error().message, c.error);
    } else {
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      EXPECT_EQ(parsed->size(), c.pairs) << c.text;
    }
  }
  auto two = Credentials::Parse(
      "[x]\naws_access_key_id=K\naws_secret_access_key=one\n"
      "[y]\naws_access_key_id=K\naws_secret_access_key=two\n",
      "creds");
  ASSERT_TRUE(two.ok());
  ASSERT_NE(two->Find("K"), nullptr);
  EXPECT_EQ(two->Find("K")->size(), 2u);
  EXPECT_EQ(two->Find("missing"), nullptr);
}

// A ListTables request signed as an SDK would sign it; each case then breaks
// one thing.
struct Request {
  std::string method = "POST";
  std::string target = "/";
  std::string host = "localhost:8000";
  std::string amz_date = "20240301T120000Z";
  std::optional<std::string> http_date;  // a Date header instead of X-Amz-Date
  std::string body = "{}";
  std::string key = std::string(kKey);
  std::string secret = std::string(kSecret);
  std::string scope_date = "20240301";
  std::string region = "eu-west-1";
  std::string service = "dynamodb";
  std::string terminator = "aws4_request";
  std::string algorithm = "AWS4-HMAC-SHA256";
  std::string signed_headers = "content-type;host;x-amz-date;x-amz-target";
  std::optional<std::string> session_token;
  std::optional<std::string> authorization;  // replaces the computed header
  bool omit_authorization = false;
  std::string body_sent;  // when set, what arrives instead of body

  std::vector<std::pair<std::string, std::string>> fields;

  SignedRequest Build() {
    fields = {{"Host", host},
              {"Content-Type", "application/x-amz-json-1.0"},
              {"X-Amz-Target", "DynamoDB_20120810.ListTables"}};
    if (http_date) {
      fields.emplace_back("Date", *http_date);
    } else {
      fields.emplace_back("X-Amz-Date", amz_date);
    }
    if (session_token) fields.emplace_back("X-Amz-Security-Token", *session_token);
    SignedRequest r = View(body);
    std::string signature =
        ComputeSignature(r, signed_headers, amz_date, secret, scope_date, region, service);
    if (omit_authorization) return View(body);
    fields.emplace_back(
        "Authorization",
        authorization.value_or(algorithm + " Credential=" + key + "/" + scope_date + "/" + region +
                               "/" + service + "/" + terminator +
                               ", SignedHeaders=" + signed_headers + ", Signature=" + signature));
    return View(body_sent.empty() ? body : body_sent);
  }

 private:
  SignedRequest View(const std::string& payload) const {
    SignedRequest r;
    r.method = method;
    r.target = target;
    for (const auto& [name, value] : fields) r.headers.push_back({name, value});
    r.body = payload;
    return r;
  }
};

TEST(SigV4Test, VerificationErrorsInDynamoDbsOrder) {
  auto credentials = Credentials::Parse(
      "[default]\naws_access_key_id = AKIDEXAMPLE\n"
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
      "[temporary]\naws_access_key_id = ASIATEMP\naws_secret_access_key = tempsecret\n"
      "aws_session_token = the-token\n",
      "creds");
  ASSERT_TRUE(credentials.ok());
  const auto now = At(2024, 3, 1, 12, 5, 0);
  // Signed with the temporary profile's key, carrying this session token.
  auto temporary = [](std::string token) {
    return [token](Request& r) {
      r.key = "ASIATEMP";
      r.secret = "tempsecret";
      r.session_token = token;
      r.signed_headers = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
    };
  };

  struct Case {
    const char* name;
    std::function<void(Request&)> change;
    const char* type;  // empty: accepted
    std::string message;
  };
  const std::vector<Case> cases = {
      {"valid", [](Request&) {}, "", ""},
      {"date-header-instead-of-x-amz-date",
       [](Request& r) {
         r.http_date = "Fri, 01 Mar 2024 12:00:00 GMT";
         r.signed_headers = "content-type;date;host;x-amz-target";
       },
       "", ""},
      {"trailing-slash-in-credential", [](Request& r) { r.terminator = "aws4_request/"; }, "", ""},
      {"temporary-credentials-with-their-token", temporary("the-token"), "", ""},
      {"no-authorization-header", [](Request& r) { r.omit_authorization = true; },
       "MissingAuthenticationTokenException", "Request is missing Authentication Token"},
      {"missing-signature",
       [](Request& r) {
         r.authorization =
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/eu-west-1/dynamodb/"
             "aws4_request, SignedHeaders=host";
       },
       "IncompleteSignatureException",
       "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
       "Credential=AKIDEXAMPLE/20240301/eu-west-1/dynamodb/aws4_request, SignedHeaders=host"},
      {"bad-date-format", [](Request& r) { r.amz_date = "2024-03-01T12:00:00Z"; },
       "IncompleteSignatureException",
       "Date must be in ISO-8601 'basic format'. Got '2024-03-01T12:00:00Z'. See "
       "http://en.wikipedia.org/wiki/ISO_8601"},
      {"expired",
       [](Request& r) {
         r.amz_date = "20240301T114959Z";  // 15 min 1 s before now
       },
       "InvalidSignatureException",
       "Signature expired: 20240301T114959Z is now earlier than 20240301T115000Z "
       "(20240301T120500Z - 15 min.)"},
      {"edge-of-expiry-accepted", [](Request& r) { r.amz_date = "20240301T115000Z"; }, "", ""},
      {"not-yet-current", [](Request& r) { r.amz_date = "20240301T122001Z"; },
       "InvalidSignatureException",
       "Signature not yet current: 20240301T122001Z is still later than 20240301T122000Z "
       "(20240301T120500Z + 15 min.)"},
      // Found by the http fuzzer: year 6024 overflowed a nanosecond time_point (UBSan).
      {"year-6024-is-not-yet-current-not-an-overflow",
       [](Request& r) { r.amz_date = "60240301T120000Z"; }, "InvalidSignatureException",
       "Signature not yet current: 60240301T120000Z is still later than 20240301T122000Z "
       "(20240301T120500Z + 15 min.)"},
      {"year-0001-has-expired", [](Request& r) { r.amz_date = "00010301T120000Z"; },
       "InvalidSignatureException",
       "Signature expired: 00010301T120000Z is now earlier than 20240301T115000Z "
       "(20240301T120500Z - 15 min.)"},
      {"edge-of-future-accepted", [](Request& r) { r.amz_date = "20240301T122000Z"; }, "", ""},
      {"host-not-signed",
       [](Request& r) { r.signed_headers = "content-type;x-amz-date;x-amz-target"; },
       "InvalidSignatureException",
       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
      {"other-algorithm", [](Request& r) { r.algorithm = "AWS4-HMAC-SHA512"; },
       "IncompleteSignatureException",
       "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
      {"four-part-credential",
       [](Request& r) {
         r.authorization =
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/eu-west-1/dynamodb, "
             "SignedHeaders=host, Signature=abc";
       },
       "IncompleteSignatureException",
       "Credential must have exactly 5 slash-delimited elements, e.g. "
       "keyid/date/region/service/term, got 'AKIDEXAMPLE/20240301/eu-west-1/dynamodb'"},
      {"wrong-service", [](Request& r) { r.service = "dynamo"; }, "InvalidSignatureException",
       "Credential should be scoped to correct service: 'dynamodb'. "},
      {"every-scope-part-wrong",
       [](Request& r) {
         r.region = "EU_WEST";
         r.service = "s3";
         r.terminator = "aws5_request";
         r.scope_date = "20240229";
       },
       "InvalidSignatureException",
       "Credential should be scoped to a valid region, not 'EU_WEST'. Credential should be scoped "
       "to correct service: 'dynamodb'. Credential should be scoped with a valid terminator: "
       "'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from "
       "ISO-8601 version of date from HTTP: '20240229' != '20240301', from '20240301T120000Z'."},
      {"unknown-key", [](Request& r) { r.key = "AKIDUNKNOWN"; }, "UnrecognizedClientException",
       "The security token included in the request is invalid."},
      {"wrong-secret", [](Request& r) { r.secret = "not-the-secret"; }, "InvalidSignatureException",
       "The request signature we calculated does not match the signature you provided. Check "
       "your AWS Secret Access Key and signing method. Consult the service documentation for "
       "details."},
      {"tampered-body", [](Request& r) { r.body_sent = R"({"Limit":1})"; },
       "InvalidSignatureException",
       "The request signature we calculated does not match the signature you provided. Check "
       "your AWS Secret Access Key and signing method. Consult the service documentation for "
       "details."},
      {"temporary-credentials-wrong-token", temporary("another-token"),
       "UnrecognizedClientException", "The security token included in the request is invalid"},
  };
  for (const Case& c : cases) {
    Request r;
    c.change(r);
    SignedRequest signed_request = r.Build();
    RequestContext ctx;
    VerifySignature(signed_request, *credentials, now, &ctx);
    if (std::string(c.type).empty()) {
      EXPECT_FALSE(ctx.auth_error) << c.name << ": " << ctx.auth_error->message;
      EXPECT_EQ(ctx.access_key, r.key) << c.name;
      EXPECT_EQ(ctx.region, r.region) << c.name;
      continue;
    }
    ASSERT_TRUE(ctx.auth_error) << c.name;
    EXPECT_EQ(core::WireInfo(ctx.auth_error->code).name, c.type) << c.name;
    EXPECT_EQ(core::WireInfo(ctx.auth_error->code).http_status, 400) << c.name;
    EXPECT_EQ(ctx.auth_error->message, c.message) << c.name;
  }
}

}  // namespace
}  // namespace dynamo::server
