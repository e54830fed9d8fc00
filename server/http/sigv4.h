// AWS Signature Version 4 as DynamoDB checks it: the Authorization header's
// shape, and (with --auth-credentials) the signature itself.
//
// Without credentials the server only parses the header, as DynamoDB Local
// does: the credential scope names the namespace (access key, region) and
// any signature is accepted. With credentials, VerifySignature runs
// DynamoDB's checks in DynamoDB's order, each with its exact error:
//
//   1. no Authorization header, or not AWS4-*   MissingAuthenticationToken
//   2. Credential / Signature / SignedHeaders or a date header missing
//                                               IncompleteSignature
//   3. X-Amz-Date (or Date) not a valid time    IncompleteSignature
//   4. the time more than 15 min off the server's clock
//                                               InvalidSignature (expired / not yet current)
//   5. host not among the signed headers        InvalidSignature
//   6. an algorithm other than AWS4-HMAC-SHA256 IncompleteSignature
//   7. Credential not keyid/date/region/service/aws4_request
//                                               IncompleteSignature
//   8. scope: region, service 'dynamodb', terminator, date = X-Amz-Date's day
//                                               InvalidSignature (every failing part listed)
//   9. an access key no credentials profile has UnrecognizedClient
//  10. the signature over the canonical request (method, path, query, signed
//      headers, SHA-256 of the body as received) matches no secret of that key
//                                               InvalidSignature
//  11. the profile has aws_session_token and X-Amz-Security-Token differs
//                                               UnrecognizedClient
//
// Hashing and HMAC are OpenSSL's. Thread-safe: Credentials is immutable after
// loading; the functions keep no state.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace dynamo::server {

struct RequestContext;

// The key pairs requests may be signed with: every profile of an AWS
// shared-credentials file (~/.aws/credentials) that has both
// aws_access_key_id and aws_secret_access_key. `[name]` and `[profile name]`
// sections, `key = value` lines, `#` and `;` comment lines.
class Credentials {
 public:
  struct Secret {
    std::string secret_access_key;
    std::optional<std::string> session_token;  // aws_session_token, if the profile has one
  };

  // Fails with a message naming the file and line when it cannot be read or
  // holds no complete key pair.
  static core::Result<Credentials> Load(const std::string& path);
  // source names the text in messages.
  static core::Result<Credentials> Parse(std::string_view text, std::string_view source);

  // The secrets of every profile with this access key id; null if none.
  const std::vector<Secret>* Find(std::string_view access_key_id) const;
  size_t size() const { return pairs_; }

 private:
  std::unordered_map<std::string, std::vector<Secret>> by_key_;
  size_t pairs_ = 0;
};

// The parts of an HTTP request that SigV4 signs, as received. Views into the
// caller's request, which must outlive this.
struct SignedRequest {
  struct Header {
    std::string_view name;
    std::string_view value;
  };
  std::string_view method;  // "POST"
  std::string_view target;  // request-target: path and query, e.g. "/"
  std::vector<Header> headers;
  std::string_view body;

  // Every value of a header (case-insensitive name), in order; empty if none.
  std::vector<std::string_view> Values(std::string_view name) const;
};

// Parses the Authorization header into ctx (access key, region) without
// verifying it, or sets ctx->auth_error (checks 1, 2 and 7 above).
// has_date: X-Amz-Date or Date present.
void ParseAuthorization(std::string_view header, bool present, bool has_date, RequestContext* ctx);

// Runs checks 1-11; on success sets ctx's access key and region, otherwise
// ctx->auth_error.
void VerifySignature(const SignedRequest& request, const Credentials& credentials,
                     std::chrono::system_clock::time_point now, RequestContext* ctx);

// The hex signature of request under the given scope: the canonical request,
// the string to sign and the derived key of AWS's SigV4 specification.
// signed_headers: lower-case names joined by ';' as in the Authorization
// header. amz_date: the request time in ISO-8601 basic format.
std::string ComputeSignature(const SignedRequest& request, std::string_view signed_headers,
                             std::string_view amz_date, std::string_view secret_access_key,
                             std::string_view scope_date, std::string_view region,
                             std::string_view service);

}  // namespace dynamo::server
