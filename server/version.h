// The emulator's version: the CMake project's (DYNAMO_EMU_VERSION, defined
// for dynamo_api and what links it).
#pragma once

namespace dynamo::server {

inline constexpr const char* kDynamoEmuVersion = DYNAMO_EMU_VERSION;

}  // namespace dynamo::server
