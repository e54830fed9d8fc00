// The whole API: "Operation\n" then the request body, dispatched against an
// in-memory emulator. Whatever the input, the answer is a success or a
// client error: a 500 is a bug, and so is a crash.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto response = dynamo::fuzz::FuzzApi::Next().Dispatch({}, input.substr(0, newline),
                                                         input.substr(newline + 1));
  if (response.status >= 500) __builtin_trap();
  return 0;
}
