// The HTTP front end: raw request bytes, parsed and answered as a connection
// would (server::RespondToRawRequest). No input may crash it or get a 500,
// but for the 500 DynamoDB itself answers to an undecodable body.
// Inputs of odd length are answered with SigV4 verification on
// (--auth-credentials), so the signature checks see the same inputs. Fault
// rules (POST /_emu/faults) never outlive the input that set them: an input
// is one request, so none of its answers is an injected error.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_api.h"
#include "server/http/http_server.h"
#include "server/http/sigv4.h"

namespace {

const dynamo::server::HttpOptions& OptionsFor(size_t size) {
  static const dynamo::server::HttpOptions plain;
  static const dynamo::server::HttpOptions with_auth = [] {
    dynamo::server::HttpOptions o;
    auto credentials = dynamo::server::Credentials::Parse(
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = secret\n", "fuzz");
    o.credentials = std::make_shared<const dynamo::server::Credentials>(std::move(*credentials));
    return o;
  }();
  return size % 2 ? with_auth : plain;
}

// DynamoDB's own 500: a request body it cannot decode (an unknown
// Content-Encoding, or bytes that are not what it names; README, "HTTP
// compression"). Nothing of such a request runs.
bool UndecodableBody(std::string_view response) {
  constexpr std::string_view kPrefix = R"(#InternalServerError","message":")";
  for (std::string_view message : {"Unsupported Content-Encoding; gzip and deflate are supported",
                                   "The request body is not valid "}) {
    if (response.find(std::string(kPrefix) + std::string(message)) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  dynamo::server::Api& api = dynamo::fuzz::FuzzApi::Next();
  api.faults().Clear();
  const std::string response = dynamo::server::RespondToRawRequest(&api, input, OptionsFor(size));
  const bool server_error =
      response.rfind("HTTP/1.1 5", 0) == 0 || response.rfind("HTTP/1.0 5", 0) == 0;
  if (server_error && !UndecodableBody(response)) __builtin_trap();
  return 0;
}
