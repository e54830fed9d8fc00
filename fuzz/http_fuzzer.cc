// The HTTP front end: raw request bytes, parsed and answered as a connection
// would (server::RespondToRawRequest). No input may crash it or get a 500.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_api.h"
#include "server/http/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string response =
      dynamo::server::RespondToRawRequest(&dynamo::fuzz::FuzzApi::Next(), input);
  if (response.rfind("HTTP/1.1 5", 0) == 0 || response.rfind("HTTP/1.0 5", 0) == 0) {
    __builtin_trap();
  }
  return 0;
}
